// Headless Chromium on the software adapter, driving the built page served on localhost
// (WebGPU needs a secure context). Flags as in platform.md. No browser is downloaded: Debian's
// chromium is used, or the one CHROMIUM_PATH names; without either the tests fail saying so.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const QUIET = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

export async function launch(webgpu = true): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET, ...(webgpu ? WEBGPU_FLAGS : [])],
  });
}

/** Builds the page with vite and serves dist/page on 127.0.0.1 at a free port. */
export async function servePage(): Promise<{ url: string; close: () => Promise<void> }> {
  await build({ logLevel: 'error' });
  const server: PreviewServer = await preview({ logLevel: 'error', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const address = server.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((resolve) => server.httpServer.close(() => resolve())),
  };
}

export interface Watched {
  page: Page;
  /** Console errors and uncaught exceptions, for asserting there were none. */
  problems: string[];
}

export async function openPage(browser: Browser, url: string, width = 1400, height = 1000): Promise<Watched> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 60_000 });
  return { page, problems };
}

export async function waitForState(page: Page, state: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction((s: string) => document.body.dataset.state === s, { timeout }, state);
}

/** Per test file: the page built and served, and a browser with WebGPU on the software adapter. */
export function usePageAndBrowser(): { browser: () => Browser; url: () => string } {
  let browser: Browser | undefined;
  let site: { url: string; close: () => Promise<void> } | undefined;
  beforeAll(async () => {
    site = await servePage();
    browser = await launch(true);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  return {
    browser: () => browser ?? raise('no browser: the launch in beforeAll failed (see the error above)'),
    url: () => site?.url ?? raise('no page: the build or server in beforeAll failed (see the error above)'),
  };
}

function raise(message: string): never {
  throw new Error(message);
}
