/// <reference types="vitest/config" />
// One config for the page (vite / vite build), the library and CLI (vite build --mode lib) and the tests (vitest).
import { builtinModules } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

// The page's Content-Security-Policy allows only its own origin. The dev server injects CSS as
// <style> elements, so `npm start` relaxes style-src; the built page keeps the strict policy.
const devStyles: Plugin = {
  name: 'dev-inline-styles',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
};

/** The pages vite builds: the lesson, and the benchmark in the visitor's browser. */
const PAGES: Record<string, string> = { main: 'index.html', bench: 'bench.html' };

export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    // The library, the Node entry and the `backprop` command, for Node 20, with shaders inlined (?raw).
    return {
      // TF.js (for the benchmark) ships ESM files whose imports Node cannot resolve; bundle it.
      ssr: { noExternal: [/^@tensorflow\//] },
      build: {
        ssr: true,
        outDir: 'dist/lib',
        emptyOutDir: true,
        target: 'node20',
        sourcemap: true,
        minify: false,
        rollupOptions: {
          input: { index: 'src/index.ts', node: 'src/node.ts', cli: 'src/cli/main.ts', bench: 'bench/bench.ts', benchPage: 'bench/page.ts' },
          external: ['webgpu', 'vite', 'puppeteer-core', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
    };
  }
  return {
    plugins: [devStyles],
    build: { outDir: 'dist/page', target: 'es2022', rollupOptions: { input: PAGES } },
    server: { host: '127.0.0.1' },
    preview: { host: '127.0.0.1' },
    test: {
      // Dawn is a native addon: each test file gets its own process, not a worker thread.
      pool: 'forks',
      // Two files at a time: one alone left half of a 2-core machine idle (12.5 min against 9.9).
      maxWorkers: 2,
      // The page, built once for every e2e file of both engines.
      globalSetup: ['test/helpers/buildPage.ts'],
      // Kernel variants are measured afresh in each test process, never read from or written to ~/.cache.
      env: { BACKPROP_KERNEL_CACHE: 'off' },
      // A safeguard against a hang, not a speed target: two files at a time, the slowest test took 43 s.
      testTimeout: 120_000,
      hookTimeout: 120_000,
      projects: [
        // Everything: the kernels and the command in Node (Dawn), the page in Chromium (Dawn, Tint).
        { extends: true, test: { name: 'chromium', include: ['test/**/*.test.ts'] } },
        // The page again in Firefox (wgpu, naga): all of test/e2e. One test runs in Chromium only,
        // said where it is (page.test.ts: the downloads, caught through the DevTools protocol).
        {
          extends: true,
          test: {
            name: 'firefox',
            include: ['test/e2e/**/*.test.ts'],
            env: { BACKPROP_KERNEL_CACHE: 'off', BACKPROP_BROWSER: 'firefox' },
            testTimeout: 180_000,
          },
        },
      ],
    },
  };
});
