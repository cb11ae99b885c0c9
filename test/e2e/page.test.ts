// The teaching page in headless Chromium on the software adapter: the default example trains on
// the GPU and its log matches the CPU reference and the CLI; dispatch stepping shows each kernel
// and its buffers; settings live in the URL; exports are files numpy can load and imports are
// checked; without WebGPU the lesson runs on the CPU. A screenshot is saved to test/artifacts/.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { testIO } from '../helpers/cli.js';
import { unzipSync } from 'fflate';
import { decodeNpy } from '../../src/data/npy.js';
import { decodeWeightsSafetensors } from '../../src/data/safetensors.js';
import { decodeWeightsJson } from '../../src/data/weightsFile.js';
import { streetlights4 } from '../../src/data/streetlights.js';
import { seededWeights } from '../../src/net/init.js';
import { resolveConfig } from '../../src/train/config.js';
import { CpuExecutor } from '../../src/train/cpuExecutor.js';
import { ACTIVATIONS, DEFAULT_ACTIVATION } from '../../src/ops/activations/index.js';
import { compareAbsolute, compareRelative, describeComparison } from '../../src/verify/tolerance.js';
import { numpy } from '../fixtures/numpy.js';
import { ADAPTER_BADGE, ENGINE, launch, stepDispatch, openPage, usePageAndBrowser, waitForState, type Watched } from '../helpers/browser.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

const env = usePageAndBrowser();
const opened: Watched[] = [];

async function open(query = '', width?: number): Promise<Page> {
  const watched = await openPage(env.browser(), `${env.url()}${query}`, width);
  opened.push(watched);
  return watched.page;
}

const text = (page: Page, selector: string): Promise<string> => page.$eval(selector, (e) => e.textContent ?? '');
const logLines = async (page: Page): Promise<string[]> => (await text(page, '#log')).split('\n').filter((l) => l);

/** The seed's two-layer program on the CPU reference: the error of every iteration. */
function referenceErrors(iterations = 60, input: Record<string, unknown> = {}): number[] {
  const ds = streetlights4();
  const config = resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations, seed: 1, ...input }, ds);
  return new CpuExecutor(config, ds, seededWeights(config.layers, config.seed)).runIterations(iterations).map((e) => e.error);
}

describe('the default example on the GPU', () => {
  let page: Page;

  beforeAll(async () => {
    page = await open('?autorun=1');
    await waitForState(page, 'done');
  });

  test('says which adapter it runs on', async () => {
    expect(await page.$eval('#adapter', (e) => (e as HTMLElement).dataset.backend)).toBe('gpu');
    expect(await text(page, '#adapter')).toMatch(ADAPTER_BADGE);
  });

  test("the log is the seed's printout: within 1e-4 of the CPU reference, and the CLI's lines exactly (the same plan, auto)", async () => {
    const lines = await logLines(page);
    expect(lines).toHaveLength(6);
    const ref = referenceErrors().filter((_, i) => i % 10 === 9);
    const c = compareRelative(lines.map((l) => Number(l.slice('Error:'.length))), ref, 1e-4);
    expect(c.ok, describeComparison('page log', c)).toBe(true);
    const cli: string[] = [];
    // A live run trains on the plan auto picks, as the command does by default.
    await main(['train'], testIO({ out: (l) => cli.push(l), err: () => undefined }));
    expect(lines).toEqual(cli);
  });

  test('reports GPU = CPU with the largest difference and its bound', async () => {
    const check = await page.$eval('#check', (e) => ({ ok: (e as HTMLElement).dataset.ok, maxDiff: (e as HTMLElement).dataset.maxDiff, text: e.textContent }));
    expect(check.ok).toBe('true');
    expect(check.text).toMatch(/^GPU = CPU/);
    const maxDiff = Number(check.maxDiff);
    expect(maxDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(await text(page, '#position')).toBe('done: 60 iterations of 4 batches · 240 updates');
  });

  test('shows the weights as heatmaps and the pressure table', async () => {
    expect(await page.$$eval('#weights .heatmap-grid canvas', (c) => c.map((e) => [(e as HTMLCanvasElement).width, (e as HTMLCanvasElement).height]))).toHaveLength(2);
    expect(await page.$$eval('#weights figcaption', (f) => f.map((e) => e.textContent))).toEqual([
      expect.stringMatching(/^weights_0_1 \(3×4\)/),
      expect.stringMatching(/^weights_1_2 \(4×1\)/),
    ]);
    const tables = await page.$$eval('.pressure-actual .pressure-table', (ts) => ts.map((t) => [(t as HTMLElement).dataset.matrix, t.querySelectorAll('tbody tr').length]));
    expect(tables).toEqual([
      ['weights_0_1', 5],
      ['weights_1_2', 5],
    ]);
    // Each push with its sign and size: +0.0016, −0.0021, 0.
    const cells = await page.$$eval('.pressure-actual .pressure-table td', (tds) => tds.map((t) => t.textContent));
    for (const cell of cells) expect(cell).toMatch(/^(0|[+−]\d[\d.e-]*)$/);
    expect(cells.some((c) => c!.startsWith('+'))).toBe(true);
  });

  test('the error curve is drawn (the seed\'s argument for a hidden layer: ideas.test.ts)', async () => {
    expect(await page.$$('#chart canvas')).toHaveLength(1);
  });

  test('saves a screenshot of the page after the run (laptop and phone width)', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'page.png'), fullPage: true });
    const phone = await open('?autorun=1', 390);
    await waitForState(phone, 'done');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'nothing wider than a phone screen').toBeLessThanOrEqual(0);
    await phone.screenshot({ path: join(ARTIFACTS, 'page-phone.png'), fullPage: true });
  });
});

describe('one dispatch at a time', () => {
  test('each click runs the next dispatch and shows its WGSL, its numpy line and its buffers', async () => {
    const page = await open();
    const plan = await page.$$eval('#plan li', (lis) => lis.map((li) => [li.querySelector('code')!.textContent, li.querySelector('.tag')!.textContent]));
    expect(plan).toHaveLength(11);
    for (let i = 0; i < plan.length; i++) {
      await stepDispatch(page, i);
      const detail = await page.$eval('#dispatch-detail', (d) => ({
        shader: (d as HTMLElement).dataset.shader,
        wgsl: d.querySelector<HTMLElement>('pre.wgsl')!.dataset.shader,
        source: d.querySelector('pre.wgsl')!.textContent,
        numpy: d.querySelector('.dispatch-numpy code')!.textContent,
        buffers: [...d.querySelectorAll<HTMLElement>('.buffer')].map((b) => ({ name: b.dataset.buffer, diff: Number(b.querySelector<HTMLElement>('.diff')?.dataset.maxDiff) })),
      }));
      expect(detail.numpy).toBe(plan[i]![0]);
      expect(detail.shader).toBe(plan[i]![1]);
      expect(detail.wgsl).toBe(plan[i]![1]);
      expect(detail.source).toMatch(/@compute @workgroup_size/);
      expect(detail.buffers.length).toBeGreaterThan(0);
      for (const b of detail.buffers) expect(b.diff, `${detail.numpy}: ${b.name}`).toBeLessThan(1e-5);
    }
    const names = await page.$$eval('#dispatch-detail .buffer', (bs) => bs.map((b) => (b as HTMLElement).dataset.buffer));
    expect(names).toEqual(['weight_delta_0_1', 'weights_0_1']);
    expect(await text(page, '#position')).toMatch(/batch 2 of 4 · 1 update$/);
    // An iteration from here finishes the first one.
    await page.click('#step-iteration');
    await page.waitForFunction(() => document.querySelector('#log')!.textContent === '' && /4 updates/.test(document.querySelector('#position')!.textContent!));
  });
});

describe('the activation control', () => {
  const others = Object.keys(ACTIVATIONS).filter((name) => name !== DEFAULT_ACTIVATION);

  test('each activation: the numpy lines and the WGSL follow the control, and the URL keeps it', async () => {
    const page = await open();
    for (const name of others) {
      await page.select('select[name=activation]', name);
      await page.waitForFunction((n: string) => new URLSearchParams(location.search).get('activation') === n, {}, name);
      await waitForState(page, 'idle');
      const plan = await page.$$eval('#plan li', (lis) => lis.map((li) => [li.querySelector('code')!.textContent, li.querySelector('.tag')!.textContent]));
      expect(plan.map((p) => p[0])).toEqual(expect.arrayContaining([`layer_1 = ${name}(layer_1)`, `layer_1_delta *= ${name}2deriv(layer_1)`]));
      expect(plan.map((p) => p[1])).toEqual(expect.arrayContaining([`${name}+activate`, `${name}+activate2deriv`]));
    }
  });

  test('the last activation: its dispatch shows its own file, then the kernel; a run matches the CPU', async () => {
    const name = others.at(-1) ?? DEFAULT_ACTIVATION;
    const page = await open(`?activation=${name}`);
    // The third dispatch applies the activation: its WGSL is the activation's functions, then the kernel.
    for (let i = 0; i < 3; i++) await stepDispatch(page, i);
    const files = await page.$$eval('#dispatch-detail pre.wgsl code.file', (cs) => cs.map((c) => (c as HTMLElement).dataset.file));
    expect(files).toEqual([name, 'activate']);
    expect(await text(page, '#dispatch-detail pre.wgsl')).toContain(`fn ${name}2deriv(output: f32) -> f32`);
    await page.click('#run');
    await waitForState(page, 'done');
    const lines = await logLines(page);
    const ref = referenceErrors(60, { activation: name }).filter((_, i) => i % 10 === 9);
    const c = compareRelative(lines.map((l) => Number(l.slice('Error:'.length))), ref, 1e-4);
    expect(c.ok, describeComparison(`${name} log`, c)).toBe(true);
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  });
});

describe('comparing runs', () => {
  test('the three kinds of gradient descent from the same start are overlaid on the error chart', async () => {
    const page = await open();
    await page.click('#compare');
    await page.waitForFunction(() => [...document.querySelectorAll('#chart .u-legend .u-label')].some((l) => l.textContent === 'full (batch 4)'));
    const labels = await page.$$eval('#chart .u-legend .u-label', (ls) => ls.map((l) => l.textContent));
    expect(labels).toEqual(expect.arrayContaining(['stochastic (batch 1)', 'mini-batch 2', 'full (batch 4)']));
  });
});

describe('settings in the URL', () => {
  test('a link reproduces a run: full gradient descent, seed 3, 30 iterations', async () => {
    const page = await open('?example=two-layer&seed=3&mode=full&iterations=30&log=10&autorun=1');
    await waitForState(page, 'done');
    const form = await page.$eval('#settings', (f) => Object.fromEntries(new FormData(f as HTMLFormElement)));
    expect(form).toMatchObject({ mode: 'full', seed: '3', iterations: '30', layers: '3,4,1' });
    const lines = await logLines(page);
    const ref = referenceErrors(30, { mode: 'full', seed: 3 }).filter((_, i) => i % 10 === 9);
    expect(compareRelative(lines.map((l) => Number(l.slice(6))), ref, 1e-4).ok).toBe(true);
    expect(await text(page, '#position')).toMatch(/30 updates/);
    const search = await page.evaluate(() => location.search);
    expect(new URLSearchParams(search).get('mode')).toBe('full');
    expect(new URLSearchParams(search).get('seed')).toBe('3');
  });

  test('changing a control updates the URL; a bad value is explained and not run', async () => {
    const page = await open();
    await page.select('select[name=mode]', 'batch');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('mode') === 'batch');
    await page.$eval('input[name=alpha]', (e) => {
      (e as HTMLInputElement).value = '-1';
      e.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#form-error')!.hidden);
    expect(await text(page, '#form-error')).toMatch(/alpha must be a finite number above 0/);
    expect(await page.$eval('#run', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
  });
});

describe('export and import', () => {
  // Chromium only: downloads are caught with the DevTools protocol's Browser.setDownloadBehavior,
  // which Firefox's WebDriver BiDi lacks; the files are made by the same code in both engines.
  test.skipIf(ENGINE === 'firefox')('weights.json, .npy, .safetensors, trace.json, the PyTorch zip and model.onnx download; the files read back as the trained weights', async () => {
    const page = await open('?autorun=1');
    await waitForState(page, 'done');
    const dir = mkdtempSync(join(tmpdir(), 'backprop-downloads-'));
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
    await page.click('details.files summary');
    await page.click('#export-weights');
    await page.click('#export-npy');
    await page.click('#export-safetensors');
    await page.click('#export-trace');
    await page.click('#export-pytorch');
    await page.click('#export-onnx');
    const want = ['model.onnx', 'trace.json', 'webgpu-backprop-pytorch.zip', 'weights.json', 'weights.safetensors', 'weights_0_1.npy', 'weights_1_2.npy'];
    await expect.poll(() => readdirSync(dir).sort(), { timeout: 15_000 }).toEqual(want);

    const json = decodeWeightsJson('weights.json', readFileSync(join(dir, 'weights.json'), 'utf8'));
    expect(json.layers).toEqual([3, 4, 1]);
    const ds = streetlights4();
    const cpu = new CpuExecutor(resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations: 60, seed: 1 }, ds), ds, seededWeights([3, 4, 1], 1));
    cpu.runIterations(60);
    json.weights.forEach((w, l) => {
      const c = compareAbsolute(w, cpu.weights[l]!, 1e-5);
      expect(c.ok, describeComparison(`weights ${l}`, c)).toBe(true);
    });
    const w01 = decodeNpy('weights_0_1.npy', readFileSync(join(dir, 'weights_0_1.npy')));
    expect(w01.shape).toEqual([3, 4]);
    expect(Array.from(w01.values)).toEqual(Array.from(json.weights[0]!));
    expect(decodeNpy('weights_1_2.npy', readFileSync(join(dir, 'weights_1_2.npy'))).shape).toEqual([4, 1]);
    const st = decodeWeightsSafetensors('weights.safetensors', readFileSync(join(dir, 'weights.safetensors')));
    expect(st.layers).toEqual([3, 4, 1]);
    expect(Array.from(st.weights[0]!)).toEqual(Array.from(json.weights[0]!, (x) => Math.fround(x)));
    // The zip is what `backprop export --pytorch` writes for the same run: train.py from the seed's
    // starting weights (PyTorch runs it in test/export.test.ts).
    const zip = unzipSync(readFileSync(join(dir, 'webgpu-backprop-pytorch.zip')));
    expect(Object.keys(zip).sort()).toEqual(['inputs.npy', 'targets.npy', 'train.py', 'weights_0_1.npy', 'weights_1_2.npy'].map((f) => `webgpu-backprop-pytorch/${f}`));
    const py = new TextDecoder().decode(zip['webgpu-backprop-pytorch/train.py']);
    expect(py).toMatch(/^LAYERS = \[3, 4, 1\] +#/m);
    expect(py).toMatch(/^ALPHA = 0\.2 +#/m);
    expect(Array.from(decodeNpy('w', zip['webgpu-backprop-pytorch/weights_0_1.npy']!).values)).toEqual(Array.from(seededWeights([3, 4, 1], 1)[0]!));
    // model.onnx holds the trained weights: ONNX Runtime predicts walk, walk, stop, stop.
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'model.onnx')));
    const predicted = await session.run({ layer_0: new ort.Tensor('float32', ds.inputs, [4, 3]) });
    expect(Array.from(predicted['prediction']!.data as Float32Array, Math.round)).toEqual([1, 1, 0, 0]);
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as { errors: unknown[]; check: { ok: boolean } };
    expect(trace.errors).toHaveLength(60);
    expect(trace.check.ok).toBe(true);

    // Import the trained weights back: the next run starts from them (its first error is tiny).
    const input = await page.$('#import-weights');
    await (input as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(join(dir, 'weights.json'));
    await page.waitForFunction(() => /^Loaded weights.json/.test(document.querySelector('#import-status')!.textContent!));
    await page.click('#step-iteration');
    await page.waitForFunction(() => /4 updates/.test(document.querySelector('#position')!.textContent!));
    const first = Number(await page.$eval('#position', (e) => (e as HTMLElement).dataset.lastError));
    expect(first).toBeLessThan(1e-4);

    // The safetensors file imports too.
    await (input as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(join(dir, 'weights.safetensors'));
    await page.waitForFunction(() => /^Loaded weights.safetensors/.test(document.querySelector('#import-status')!.textContent!));
    await page.click('#step-iteration');
    await page.waitForFunction(() => /4 updates/.test(document.querySelector('#position')!.textContent!));
    expect(Number(await page.$eval('#position', (e) => (e as HTMLElement).dataset.lastError))).toBeLessThan(1e-4);

    // Bad files are refused with a reason; nothing is changed.
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'webgpu-backprop/weights', version: 1, layers: [3, 4, 1], weights: { weights_0_1: [[1, 2, 3, 4]] } }));
    await (input as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(bad);
    await page.waitForFunction(() => /weights_0_1 must have 3 rows/.test(document.querySelector('#import-status')!.textContent!));
    expect(await text(page, '#position')).toMatch(/4 updates/);
    for (const width of [360, 1400]) {
      await page.setViewport({ width, height: 900 });
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), { message: `after import, at ${width} px`, timeout: 5000 }).toBeLessThanOrEqual(0);
    }
  });
});

describe('without WebGPU', () => {
  test('a browser without WebGPU turned on (Chromium: no adapter; Firefox: no navigator.gpu): a clear message, and the lesson runs on the CPU', async () => {
    const plain = await launch(false);
    try {
      const watched = await openPage(plain, `${env.url()}?autorun=1`);
      await waitForState(watched.page, 'done');
      const why = ENGINE === 'firefox' ? /WebGPU is not available here.*runs on the float64 CPU reference instead/i : /no adapter.*runs on the float64 CPU reference instead/i;
      expect(await text(watched.page, '#notice')).toMatch(why);
      expect(await text(watched.page, '#adapter')).toBe('CPU only (no WebGPU)');
      // The CPU reference prints float64: digit for digit what numpy prints.
      expect(await logLines(watched.page)).toEqual(numpy.two_layer.printed);
      expect(watched.problems).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  test('no navigator.gpu at all (an old browser, a non-secure context)', async () => {
    const page = await env.browser().newPage();
    await page.evaluateOnNewDocument(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
    });
    await page.goto(`${env.url()}?example=one-layer&autorun=1`);
    await page.waitForFunction(() => document.body.dataset.state === 'done', { timeout: 120_000 });
    expect(await text(page, '#notice')).toMatch(/navigator\.gpu is undefined.*https or http:\/\/localhost/);
    expect(await logLines(page)).toHaveLength(40);
    await page.close();
  });
});

test('no page showed a console error', () => {
  expect(opened.flatMap((w) => w.problems)).toEqual([]);
});
