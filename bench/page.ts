// The page's live speed: runs of the seed's networks with every view on (the chart, the weights,
// the pressure table, the plan, the CPU shadow checking every iteration), in headless Chromium on
// the same adapter as the rest of the benchmark. Iterations per second from Run to done. And one
// epoch of the digits on the page (views on: the accuracy chart, the held-out grid, the
// first-layer images) against the same epoch in the backprop command (its timeMs: training and
// evaluation, after start-up), on the same adapter and kernel choices.
//   npm run bench -- --json   one JSON object per case (with the other benchmarks)
//   npm run bench -- --quick  fewer iterations, and no digits epoch (about 20 s on a CPU adapter)

import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { build, preview } from 'vite';
import { MEASURE_KEY } from '../src/gpu/choices.js';

const { values: opts } = parseArgs({ options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, runs: { type: 'string' }, save: { type: 'string' } }, strict: false });
const quick = opts.quick === true;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Live iterations per second the page must reach with its views on (issue #10). */
const TARGET = 200;
/** The page's digits epoch may take at most this many times the command's (issue #28). */
const EPOCH_RATIO = 1.5;

const CASES: { name: string; query: string; iterations: number }[] = [
  { name: "the seed's two-layer program, stochastic (3-4-1, 4 rows)", query: 'example=two-layer', iterations: quick ? 300 : 3000 },
  { name: '3-8-1 on the six streetlights, full gradient descent', query: 'example=two-layer&dataset=streetlights&layers=3,8,1&mode=full', iterations: quick ? 300 : 3000 },
];

await build({ logLevel: 'error' });
const server = await preview({ logLevel: 'error', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
const url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/`;
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const rows: Record<string, unknown>[] = [];
try {
  for (const c of CASES) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${url}?${c.query}&iterations=${c.iterations}&log=${c.iterations / 3}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 120_000 });
    const started = performance.now();
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'done', { timeout: 600_000, polling: 50 });
    const seconds = (performance.now() - started) / 1000;
    const ok = await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok);
    const adapter = await page.$eval('#adapter', (e) => e.textContent ?? '');
    const rate = c.iterations / seconds;
    rows.push({ case: `page: live run with every view on, ${c.name}`, ours: rate, unit: 'iterations/s', target: TARGET, met: rate >= TARGET, iterations: c.iterations, seconds, checked: ok, adapter });
    await page.close();
  }
  if (!quick) rows.push(await digitsEpoch(await browser.newPage()));
} finally {
  await browser.close();
  server.httpServer.close();
}
/** One epoch of the digits on the page, Run to done, against the command's epoch. */
async function digitsEpoch(page: import('puppeteer-core').Page): Promise<Record<string, unknown>> {
  // Both with each shape's default kernel variant: neither pays for measuring variants first.
  await page.evaluateOnNewDocument((key: string) => localStorage.setItem(key, 'off'), MEASURE_KEY);
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`${url}?example=mnist&iterations=1`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && document.body.dataset.state === 'idle', { timeout: 120_000 });
  const started = performance.now();
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state === 'done', { timeout: 600_000, polling: 50 });
  const seconds = (performance.now() - started) / 1000;
  const accuracy = Number(await page.$eval('#epoch-report', (e) => (e as HTMLElement).dataset.testAccuracy));
  await page.close();
  const cli = spawnSync(process.execPath, ['bin/backprop.js', 'train', '--dataset', 'mnist', '--iterations', '1', '--json'], { encoding: 'utf8', env: { ...process.env, BACKPROP_KERNEL_CACHE: 'fixed' } });
  const summary = JSON.parse(cli.stdout.trim().split('\n').at(-1)!) as { timeMs: number };
  const command = summary.timeMs / 1000;
  const ratio = seconds / command;
  return { case: 'page: one epoch of the digits (784-128-64-10), views on, against the command', ours: seconds, unit: 's', command, ratio, target: EPOCH_RATIO, met: ratio <= EPOCH_RATIO, testAccuracy: accuracy };
}

for (const r of rows) {
  if (opts.json) console.log(JSON.stringify(r));
  else if (r.unit === 's') console.log(`${String(r.case).padEnd(100)}  ${(r.ours as number).toFixed(1).padStart(6)} s  (the command: ${(r.command as number).toFixed(1)} s, ${(r.ratio as number).toFixed(2)}×; ≤ ${EPOCH_RATIO}× ${r.met ? 'met' : 'MISSED'})`);
  else console.log(`${String(r.case).padEnd(100)}  ${(r.ours as number).toFixed(0).padStart(6)} ${r.unit}  (≥ ${TARGET} ${r.met ? 'met' : 'MISSED'}; ${r.iterations} iterations in ${(r.seconds as number).toFixed(1)} s, GPU = CPU: ${r.checked})`);
}
process.exit(0);
