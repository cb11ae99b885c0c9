// vitest's globalSetup: the page is built once per run, before any test process starts, into a
// directory of its own that no test writes to; every e2e file serves it (test/helpers/browser.ts).
// A run of the unit or gpu lane alone builds nothing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built page (index.html, bench.html and their assets), read-only for the tests. */
    pageDir: string;
  }
}

const BROWSER_LANES = ['chromium', 'firefox'];

export async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (!project.vitest.projects.some((p) => BROWSER_LANES.includes(p.name))) return undefined;
  const outDir = mkdtempSync(join(tmpdir(), 'backprop-page-'));
  await build({ logLevel: 'error', build: { outDir, emptyOutDir: true } });
  project.provide('pageDir', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
