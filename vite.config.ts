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
    // Relative URLs throughout: the built site works from any folder of any host (a course site's
    // /course/backprop/ as well as a domain's root).
    base: './',
    build: { outDir: 'dist/page', target: 'es2022', rollupOptions: { input: PAGES } },
    server: { host: '127.0.0.1' },
    preview: { host: '127.0.0.1' },
    test: {
      // Dawn is a native addon: each test file gets its own process, not a worker thread.
      pool: 'forks',
      // Two files at a time: one alone leaves half of a 2-core machine idle.
      maxWorkers: 2,
      // The page, built once per run for the e2e files of both engines (skipped when none runs).
      globalSetup: ['test/helpers/buildPage.ts'],
      // Kernel variants are never measured in the tests (each shape runs its default variant), except
      // in the tuner's own tests, which hand their context a store that measures.
      env: { BACKPROP_KERNEL_CACHE: 'fixed' },
      // A safeguard against a hang, not a speed target.
      testTimeout: 120_000,
      hookTimeout: 120_000,
      // The lanes: npm run test:unit, test:gpu, test:e2e; npm test runs them all.
      projects: [
        // Neither GPU nor browser: parsers, formats, the CPU reference against numpy, the composer.
        { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
        // Dawn in Node (SwiftShader without a GPU): the kernels, the trainers, the command.
        { extends: true, test: { name: 'gpu', include: ['test/gpu/**/*.test.ts'] } },
        // The page in Chromium (Dawn, Tint) and in Firefox (wgpu, naga). One test runs in Chromium
        // only, said where it is (page.test.ts: the downloads, caught through the DevTools protocol).
        { extends: true, test: { name: 'chromium', include: ['test/e2e/**/*.test.ts'] } },
        {
          extends: true,
          test: {
            name: 'firefox',
            include: ['test/e2e/**/*.test.ts'],
            env: { BACKPROP_KERNEL_CACHE: 'fixed', BACKPROP_BROWSER: 'firefox' },
            testTimeout: 180_000,
          },
        },
      ],
    },
  };
});
