// The dispatch view as a learner uses it: the kernel's body first, the bindings and uniforms, the
// invocation grid (pointing at an output cell lights the invocation the WGSL says computes it, and
// the cells it reads), before and after for in-place kernels, a step back that puts the buffers
// back bit for bit, and no sideways scrolling at any width while stepping.

import type { Page } from 'puppeteer-core';
import { describe, expect, test } from 'vitest';
import { openPage, usePageAndBrowser, waitForState, stepDispatch } from '../helpers/browser.js';

const env = usePageAndBrowser();

const step = stepDispatch;

/** The exact values of a buffer's matrix in the dispatch view (cell titles hold the full number). */
const cells = (page: Page, buffer: string, side: 'before' | 'after'): Promise<string[]> =>
  page.$$eval(`#dispatch-detail .buffer[data-buffer="${buffer}"] .${side} td[data-row]`, (tds) => tds.map((td) => (td as HTMLElement).title));

describe('the dispatch view', () => {
  test('every dispatch: its sentence, its bindings as the WGSL declares them, and the kernel opened at its entry point', async () => {
    const { page, problems } = await openPage(env.browser(), env.url());
    const trees: number[] = [];
    const transposes: (string | undefined)[] = [];
    for (let i = 0; i < 11; i++) {
      await step(page, i);
      // The output delta's error sum: every invocation takes part, level by level, the lower half
      // adding the upper half's partial sums (0 += 128, …), each level ended by a barrier.
      const tree = await page.$$eval('#dispatch-detail .tree-sum li[data-stride]', (lis) => lis.map((li) => [Number((li as HTMLElement).dataset.stride), li.textContent ?? ''] as [number, string]));
      if (tree.length) {
        trees.push(i);
        const total = Number((await page.$eval('#dispatch-detail .grid-summary', (e) => e.textContent))!.match(/= (\d+) invocations/)![1]);
        expect(await page.$eval('#dispatch-detail .grid-summary', (e) => e.textContent)).toMatch(new RegExp(`then all ${total} take part in the tree sum into error\\[0\\]`));
        expect(tree.map(([stride]) => stride)).toEqual(Array.from({ length: Math.log2(total) }, (_, l) => total / 2 ** (l + 1)));
        expect(tree[0]![1]).toContain(`0 += ${total / 2}, 1 += ${total / 2 + 1}, …, ${total / 2 - 1} += ${total - 1}`);
        expect(tree.at(-1)![1]).toBe('stride 1: invocation 0 adds 0 += 1; barrier');
        expect(await page.$$eval('#dispatch-detail .grid-picture .inv.idle', (e) => e.length)).toBe(0);
      }
      const d = await page.$eval('#dispatch-detail', (el) => ({
        explain: el.querySelector('.explain')?.textContent ?? '',
        bindings: [...el.querySelectorAll('.binding-table tbody tr')].map((tr) => (tr as HTMLElement).dataset.binding),
        declared: [...el.querySelector('pre.wgsl')!.textContent!.matchAll(/@binding\(\d+\) var<[^>]+> (\w+)/g)].map((m) => m[1]),
        work: el.querySelectorAll('pre.wgsl code.work').length,
      }));
      expect(d.explain.length, `dispatch ${i}`).toBeGreaterThan(30);
      // The override constants the pipeline was made with, beside the uniforms: the backprop
      // matmul runs matmul.wgsl with TRANSPOSE_B = true, whatever its source's default says.
      const numpy = await page.$eval(`#plan li[data-step="${i}"] code`, (e) => e.textContent);
      const constants = await page.$eval('#dispatch-detail p.constants', (e) => e.textContent).catch(() => '');
      if (numpy === 'layer_1_delta = layer_2_delta.dot(weights_1_2.T)') transposes.push(constants!.match(/TRANSPOSE_A = \w+, TRANSPOSE_B = \w+/)?.[0]);
      if (numpy === 'layer_1 = np.dot(layer_0, weights_0_1)') transposes.push(constants!.match(/TRANSPOSE_A = \w+, TRANSPOSE_B = \w+/)?.[0]);
      expect(d.bindings).toEqual(d.declared);
      // The kernel is scrolled to its entry point once laid out (the next animation frame).
      const entryVisible = (): Promise<boolean> =>
        page.$eval('#dispatch-detail', (el) => {
          const pre = el.querySelector<HTMLElement>('pre.wgsl')!;
          const entry = el.querySelector<HTMLElement>('#wgsl-entry')!;
          return entry.offsetTop >= pre.scrollTop && entry.offsetTop < pre.scrollTop + pre.clientHeight;
        });
      await expect.poll(entryVisible, { message: `dispatch ${i}: fn main is in view`, timeout: 5000 }).toBe(true);
      expect(d.work, `dispatch ${i}: the lines that do the work are marked`).toBeGreaterThan(0);
    }
    expect(trees, 'one dispatch of the step sums the error').toHaveLength(1);
    expect(transposes).toEqual(['TRANSPOSE_A = false, TRANSPOSE_B = false', 'TRANSPOSE_A = false, TRANSPOSE_B = true']);
    expect(problems).toEqual([]);
    await page.close();
  });

  test("pointing at a cell of layer_1 lights the invocation the WGSL assigns it (x = j, y = i) and the row of a and column of b it reads", async () => {
    const { page } = await openPage(env.browser(), env.url());
    await step(page, 0);
    await step(page, 1); // layer_1 = np.dot(layer_0, weights_0_1): matmul.wgsl, one output per invocation
    const source = await page.$eval('#dispatch-detail pre.wgsl', (e) => e.textContent ?? '');
    expect(source).toMatch(/let i = id\.y \+ id\.z \* groups\.y \* WORKGROUP_Y;/);
    expect(source).toMatch(/let j = id\.x;/);
    for (const col of [0, 2, 3]) {
      await page.hover(`.out-grid td[data-row="0"][data-col="${col}"]`);
      const hot = await page.$$eval('.invocations .inv.hot', (s) => s.map((e) => (e as HTMLElement).dataset.gid));
      expect(hot).toEqual([`${col},0`]);
      const a = await page.$$eval('.buffer[data-buffer="layer_0"] td.hot', (s) => s.map((e) => `${(e as HTMLElement).dataset.row},${(e as HTMLElement).dataset.col}`));
      expect(a).toEqual(expect.arrayContaining(['0,0', '0,1', '0,2']));
      const b = await page.$$eval('.buffer[data-buffer="weights_0_1"] td.hot', (s) => [...new Set(s.map((e) => (e as HTMLElement).dataset.col))]);
      expect(b).toEqual([String(col)]);
      // Its arithmetic, from the values it read, ending with the value it wrote.
      const sum = await page.$eval('#dispatch-detail .arithmetic', (e) => { const d = (e as HTMLElement).dataset; return { gid: d.gid, terms: d.terms, value: d.value, sum: d.sum, text: e.textContent ?? '' }; });
      expect(sum.gid).toBe(`${col},0`);
      expect(sum.terms).toBe('3');
      expect(sum.text).toMatch(new RegExp(`^\\(${col}, 0, 0\\): [01]·-?[\\d.]+ \\+ [01]·-?[\\d.]+ \\+ [01]·-?[\\d.]+ = -?[\\d.]+$`));
      const wrote = await page.$eval(`.buffer[data-buffer="layer_1"] .after td[data-row="0"][data-col="${col}"], .buffer[data-buffer="layer_1"][data-role="written"] td[data-row="0"][data-col="${col}"]`, (e) => Number((e as HTMLElement).title));
      expect(Number(sum.value)).toBe(wrote);
      expect(Math.abs(Number(sum.sum) - wrote)).toBeLessThanOrEqual(3 * 2 ** -23 * Math.max(1, Math.abs(wrote)));
    }
    // 8 × 8 invocations in the one workgroup, 4 of them computing the 1 × 4 outputs.
    expect(await page.$$eval('.invocations .inv', (s) => s.length)).toBe(64);
    expect(await page.$$eval('.invocations .inv:not(.idle)', (s) => s.length)).toBe(4);
    await page.close();
  });

  test('relu in place shows before and after; a step back puts the buffers back bit for bit, across the end of a batch too', async () => {
    const { page } = await openPage(env.browser(), env.url());
    for (let i = 0; i < 3; i++) await step(page, i); // the third dispatch: layer_1 = relu(layer_1)
    const before = await cells(page, 'layer_1', 'before');
    const after = await cells(page, 'layer_1', 'after');
    expect(before.some((v) => Number(v) < 0)).toBe(true);
    expect(after).toEqual(before.map((v) => (Number(v) > 0 ? v : '0')));
    await page.click('#step-back');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === 1);
    await step(page, 2);
    expect(await cells(page, 'layer_1', 'before')).toEqual(before);
    expect(await cells(page, 'layer_1', 'after')).toEqual(after);
    // The ninth, weights_1_2 -= alpha * weight_delta_1_2, is undone too, and done again the same.
    for (let i = 3; i < 9; i++) await step(page, i);
    const w = [await cells(page, 'weights_1_2', 'before'), await cells(page, 'weights_1_2', 'after')];
    expect(w[0]).not.toEqual(w[1]);
    await page.click('#step-back');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === 7);
    await step(page, 8);
    expect([await cells(page, 'weights_1_2', 'before'), await cells(page, 'weights_1_2', 'after')]).toEqual(w);
    // The eleventh finishes the batch (one update made); stepping back undoes the update and the count.
    for (let i = 9; i < 11; i++) await step(page, i);
    const w01 = [await cells(page, 'weights_0_1', 'before'), await cells(page, 'weights_0_1', 'after')];
    expect(await page.$eval('#position', (e) => e.textContent)).toBe('iteration 1 of 60 · batch 2 of 4 · 1 update');
    await page.click('#step-back');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === 9);
    expect(await page.$eval('#position', (e) => e.textContent)).toBe('iteration 1 of 60 · batch 1 of 4 · 0 updates');
    await step(page, 10);
    expect([await cells(page, 'weights_0_1', 'before'), await cells(page, 'weights_0_1', 'after')]).toEqual(w01);
    // The run goes on from there as if nothing had been undone: the seed's numbers, checked.
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
    await page.close();
  });

  test('every dispatch says how long it took; one step of each plan is timed as bars, the fast plan in fewer dispatches', async () => {
    const { page } = await openPage(env.browser(), env.url());
    const sources = new Set<string>();
    for (let i = 0; i < 11; i++) {
      await step(page, i);
      const t = await page.$eval('#dispatch-detail p.timing', (e) => ({ ns: Number((e as HTMLElement).dataset.ns), source: (e as HTMLElement).dataset.source!, text: e.textContent ?? '' }));
      expect(t.ns, `dispatch ${i}`).toBeGreaterThanOrEqual(0);
      expect(t.text).toMatch(/^Took [\d.]+ (µs|ms) \((GPU timestamps|CPU: submit to done, no timestamp-query here)\): this one run, the first of a kernel included with its setup; “Time one step” gives steady-state figures\.$/);
      sources.add(t.source);
    }
    // Both engines offer timestamp-query on SwiftShader (Chromium, and Firefox 153 ESR); the page asks
    // for it. An adapter without it gets the CPU's submit-to-done time, saying so (the text above).
    expect([...sources]).toEqual(['timestamp-query']);
    await page.click('#time-step');
    await page.waitForSelector('.timing-plan[data-plan="fast"]');
    const rows = await page.$$eval('.timing-plan', (ps) => ps.map((p) => [(p as HTMLElement).dataset.plan, p.querySelectorAll('.timing-row').length]));
    expect(rows).toEqual([
      ['teaching', 11],
      ['fast', 7],
    ]);
    // Steady state: a warm-up round not counted, then the median of five.
    expect(await page.$eval('.timings', (e) => (e as HTMLElement).dataset.samples)).toBe('5');
    expect(await page.$eval('.timings p.steady', (e) => e.textContent)).toMatch(/run once to warm up .* not counted, then 5 times; each bar is the median of those 5/);
    // Timing made trainers of its own: the run is where it was.
    expect(await page.$eval('#position', (e) => e.textContent)).toBe('iteration 1 of 60 · batch 2 of 4 · 1 update');
    await page.close();
  });

  test('the network diagram lights what each dispatch reads and writes: forward left to right, deltas right to left', async () => {
    const { page } = await openPage(env.browser(), env.url());
    const state = (): Promise<Record<string, string>> =>
      page.$eval('#network svg', (svg) => {
        const out: Record<string, string> = { direction: (svg as SVGElement).dataset.direction ?? '' };
        for (const g of svg.querySelectorAll<SVGGElement>('g[data-layer]')) {
          out[g.dataset.layer!] = g.getAttribute('class')!.replace('units', '').trim();
          if (g.dataset.delta) out[`${g.dataset.layer}_delta`] = g.dataset.delta;
        }
        for (const g of svg.querySelectorAll<SVGGElement>('g[data-weights]')) out[g.dataset.weights!] = g.getAttribute('class')!.replace('edges', '').trim();
        return out;
      });
    await step(page, 0);
    await step(page, 1); // layer_1 = np.dot(layer_0, weights_0_1)
    expect(await state()).toEqual({ direction: 'forward', layer_0: 'read', layer_1: 'written', layer_2: '', weights_0_1: 'read', weights_1_2: '' });
    for (let i = 2; i < 6; i++) await step(page, i); // layer_1_delta = layer_2_delta.dot(weights_1_2.T)
    expect(await state()).toEqual({ direction: 'backward', layer_0: '', layer_1: '', layer_2: '', layer_1_delta: 'written', layer_2_delta: 'read', weights_0_1: '', weights_1_2: 'read' });
    // The units are the lesson's lights, the hidden units and the output.
    expect(await page.$$eval('#network .unit-name', (ts) => ts.map((t) => t.textContent))).toEqual(['left', 'middle', 'right', 'h0', 'h1', 'h2', 'h3', 'walk']);
    // A legend says what each mark means: red and blue are a weight's sign here.
    expect(await page.$$eval('#network ul.legend li', (lis) => lis.map((l) => l.textContent))).toEqual([
      'positive weight',
      'negative weight, dotted (thicker: larger |w|)',
      'layer read by this dispatch',
      'layer written',
      "ring: the layer's delta (blue read, amber written)",
      'full colour: weights being updated, or their weight_delta computed (others faded)',
    ]);
    await page.close();
  });

  /** The smallest text drawn in the network diagram, in px on screen. */
  const smallestDiagramText = (page: Page): Promise<number> =>
    page.$$eval('#network svg.network:not(.swatch) text', (ts) => Math.min(...ts.map((t) => Number.parseFloat(getComputedStyle(t).fontSize) * ((t.ownerSVGElement!.getBoundingClientRect().width || 1) / t.ownerSVGElement!.viewBox.baseVal.width))));

  for (const width of [320, 360, 768, 1280]) {
    test(`stepping every dispatch at ${width} px: nothing wider than the screen`, async () => {
      const { page } = await openPage(env.browser(), `${env.url()}?activation=tanh`, width, 900);
      for (let i = 0; i < 11; i++) {
        await step(page, i);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `after dispatch ${i}`).toBeLessThanOrEqual(0);
      }
      expect(await smallestDiagramText(page), 'no text in the diagram under 11 px').toBeGreaterThanOrEqual(11);
      await page.click('#compare');
      await page.waitForFunction(() => [...document.querySelectorAll('#chart .u-legend .u-label')].some((l) => l.textContent === 'full (batch 4)'));
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 'after compare').toBeLessThanOrEqual(0);
      await page.close();
    });
  }

  test('the widest network the page draws (3-24-24-1), every dispatch at 320 px: nothing wider than the screen', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?layers=3,24,24,1`, 320, 740);
    const dispatches = await page.$$eval('#plan li', (lis) => lis.length);
    for (let i = 0; i < dispatches; i++) {
      await step(page, i);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `after dispatch ${i}`).toBeLessThanOrEqual(0);
    }
    expect(await smallestDiagramText(page)).toBeGreaterThanOrEqual(11);
    // Hidden layers between: their heatmaps' cells are sized to the screen, not to a laptop's card.
    for (const layers of ['3,6,1', '3,8,1', '3,12,1']) {
      await page.goto(`${env.url()}?layers=${layers}`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), layers).toBeLessThanOrEqual(0);
    }
    await page.close();
  });
});
