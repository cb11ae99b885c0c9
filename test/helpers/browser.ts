// A headless browser on the software adapter, driving the built page served on localhost (WebGPU
// needs a secure context). Two engines, and this is the one place that knows how to start each:
// Chromium (Dawn and Tint; flags as in docs/platform.md) and Firefox (wgpu and naga; prefs that turn
// WebGPU on, and Chromium's SwiftShader named as the Vulkan driver, as Firefox finds none itself).
// BACKPROP_BROWSER=firefox picks Firefox for a test process (vitest's firefox project sets it).
// No browser is downloaded: Debian's chromium and firefox-esr are used, or the ones CHROMIUM_PATH
// and FIREFOX_PATH name; without them the tests fail saying so.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { preview, type PreviewServer } from 'vite';
import { MEASURE_KEY } from '../../src/gpu/choices.js';

export type Engine = 'chromium' | 'firefox';

/** The engine this test process drives. */
export const ENGINE: Engine = process.env.BACKPROP_BROWSER === 'firefox' ? 'firefox' : 'chromium';

/** What the adapter badge says on the software adapter: Firefox hides the adapter's name, so the badge names the engine. */
export const ADAPTER_BADGE: RegExp = ENGINE === 'firefox' ? /Firefox \(wgpu\), adapter not named by the browser/ : /swiftshader/i;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** The SwiftShader Vulkan driver Debian's chromium ships: Firefox's wgpu uses it through the Vulkan loader. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const QUIET = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** `reducedMotion`: the browser tells the page its visitor prefers reduced motion (set at launch, the one way both engines take it). */
export async function launch(webgpu = true, engine: Engine = ENGINE, { reducedMotion = false } = {}): Promise<Browser> {
  if (engine === 'firefox') {
    if (!existsSync(FIREFOX)) throw new Error(`no Firefox at ${FIREFOX}: install Debian's firefox-esr (apt-get install --no-install-recommends firefox-esr) or set FIREFOX_PATH`);
    return puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: {
        'dom.webgpu.enabled': webgpu,
        'gfx.webgpu.ignore-blocklist': webgpu,
        'gfx.webgpu.force-enabled': webgpu,
        ...(reducedMotion ? { 'ui.prefersReducedMotion': 1 } : {}),
      },
      env: { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD },
    });
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET, ...(webgpu ? WEBGPU_FLAGS : []), ...(reducedMotion ? ['--force-prefers-reduced-motion'] : [])],
  });
}

/**
 * Serves the page built for this run (test/helpers/buildPage.ts, vitest's globalSetup) on
 * 127.0.0.1 at a free port, under `folder` (as a teacher's course site would: /course/backprop/).
 */
export async function servePage(folder = '/'): Promise<{ url: string; close: () => Promise<void> }> {
  const outDir = inject('pageDir');
  const server: PreviewServer = await preview({ logLevel: 'error', base: folder, build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const address = server.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}${folder}`,
    close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
  };
}

export interface Watched {
  page: Page;
  /** Console errors and uncaught exceptions, for asserting there were none. */
  problems: string[];
}

/**
 * A new tab on `url`, waited for until the page says it is ready. Kernel variants are not measured
 * (each shape runs its default, as in every test but the tuner's), unless `measure`: the benchmark.
 */
export async function openPage(browser: Browser, url: string, width = 1400, height = 1000, measure = false): Promise<Watched> {
  const page = await browser.newPage();
  if (!measure) {
    await page.evaluateOnNewDocument((key: string) => {
      try {
        localStorage.setItem(key, 'off');
      } catch {
        // A document without storage (about:blank) measures nothing anyway.
      }
    }, MEASURE_KEY);
  }
  // Waits are safeguards against a hang, not speed limits: two test files share the cores, and
  // a run that takes 20 s alone can take 40 beside another (puppeteer's default is 30 s).
  page.setDefaultTimeout(120_000);
  await page.setViewport({ width, height });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  return { page, problems };
}

export async function waitForState(page: Page, state: string, timeout = 120_000): Promise<void> {
  await page.waitForFunction((s: string) => document.body.dataset.state === s, { timeout }, state);
}

/** Clicks Step dispatch and waits until dispatch `index` (from 0) is shown: a click while one runs is ignored. */
export async function stepDispatch(page: Page, index: number): Promise<void> {
  await page.click('#step-dispatch');
  await page.waitForFunction((n: number) => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === n, {}, index);
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

/**
 * Cores the browser's whole process tree (its GPU process included) used over `ms`, from Linux's
 * /proc: about 1 while a runaway shader holds the software adapter, near 0 when all is idle.
 */
export async function browserCores(browser: Browser, ms = 2000): Promise<number> {
  const root = browser.process()?.pid;
  if (root === undefined) throw new Error('the browser was not started by this test');
  const stats = (): Map<number, { parent: number; ticks: number }> => {
    const out = new Map<number, { parent: number; ticks: number }>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // After the command's closing parenthesis: state, ppid, …, utime (14th field), stime (15th).
        const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
        out.set(Number(name), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
      } catch {
        // A process that ended while the table was read.
      }
    }
    return out;
  };
  const tree = (table: Map<number, { parent: number; ticks: number }>): Set<number> => {
    const inside = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, s] of table) if (!inside.has(pid) && inside.has(s.parent)) (inside.add(pid), (grew = true));
    }
    return inside;
  };
  const before = stats();
  await new Promise((r) => setTimeout(r, ms));
  const after = stats();
  let ticks = 0;
  for (const pid of tree(after)) ticks += (after.get(pid)?.ticks ?? 0) - (before.get(pid)?.ticks ?? 0);
  return ticks / 100 / (ms / 1000);
}
