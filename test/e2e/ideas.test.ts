// The lesson's ideas on the page, held to the numbers behind them: the hidden layer's own dataset
// (equal to the CPU reference's layer_1 at the weights shown), why a linear hidden layer gains
// nothing, where a single layer stalls and why, overfitting to try by hand, pushes with their
// sizes, and the three kinds of gradient descent with a takeaway computed from the run.

import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { openPage, usePageAndBrowser, waitForState } from '../helpers/browser.js';

const env = usePageAndBrowser();

/** The seed's four streetlights, as the page's default lesson trains on them. */
const LIGHTS = [
  [1, 0, 1],
  [0, 1, 1],
  [0, 0, 1],
  [1, 1, 1],
];

describe("the seed's lesson after a run", () => {
  let page: Page;
  let problems: string[];
  beforeAll(async () => {
    ({ page, problems } = await openPage(env.browser(), `${env.url()}?autorun=1`));
    await waitForState(page, 'done');
  });

  test("#hidden-dataset holds layer_1 per example, as the CPU reference computes it from the weights shown", async () => {
    const w = (await page.$eval('#weights figure[data-name="weights_0_1"]', (f) => (f as HTMLElement).dataset.values!)).split(' ').map(Number);
    expect(w).toHaveLength(12);
    const cells = await page.$$eval('#hidden-dataset td[data-value]', (tds) => tds.map((t) => ({ ...(t as HTMLElement).dataset })));
    expect(cells).toHaveLength(16);
    for (const c of cells) {
      const [i, u] = [Number(c.example), Number(c.unit)];
      const sum = LIGHTS[i]!.reduce((a, x, k) => a + x * w[k * 4 + u]!, 0);
      expect(Number(c.value), `layer_1[${i}][${u}]`).toBeCloseTo(Math.max(0, sum), 12);
    }
    // Rows are labelled by their lights, with the goal beside them.
    const rows = await page.$$eval('#hidden-dataset tbody tr', (trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.lastElementChild!.textContent]));
    expect(rows.slice(0, 4)).toEqual([
      ['[1 0 1]', 'walk'],
      ['[0 1 1]', 'walk'],
      ['[0 0 1]', 'stop'],
      ['[1 1 1]', 'stop'],
    ]);
    // After training some unit's column correlates with walking, which no light does.
    const r = await page.$$eval('#hidden-dataset tr[data-row="correlation"] td[data-unit]', (tds) => tds.map((t) => (t as HTMLElement).dataset.correlation!));
    expect(r).toHaveLength(4);
    expect(Math.max(...r.filter((x) => x !== '').map((x) => Math.abs(Number(x))))).toBeGreaterThan(0.5);
    // The lesson's pressure on this dataset, sized: each unit's up is its sum over the walk examples.
    const pushes = await page.$$eval('#hidden-dataset tr[data-row="pressure"] td[data-unit]', (tds) => tds.map((t) => [Number((t as HTMLElement).dataset.up), Number((t as HTMLElement).dataset.down)]));
    const column = (u: number): number[] => cells.filter((c) => Number(c.unit) === u).sort((a, b) => Number(a.example) - Number(b.example)).map((c) => Number(c.value));
    pushes.forEach(([up, down], u) => {
      expect(up).toBeCloseTo(column(u)[0]! + column(u)[1]!, 12);
      expect(down).toBeCloseTo(column(u)[2]! + column(u)[3]!, 12);
    });
    expect(await page.$eval('#hidden-found', (e) => e.textContent)).toMatch(/^h\d is on only for \[/);
  });

  test('each push is shown with its size, the rows by their lights, and a weight pulled both ways is named', async () => {
    const rows = await page.$$eval('.pressure-actual table[data-matrix="weights_1_2"] tbody tr th', (ths) => ths.map((t) => t.textContent));
    expect(rows).toEqual(['[1 0 1]', '[0 1 1]', '[0 0 1]', '[1 1 1]', 'net']);
    const pushes = await page.$$eval('.pressure-actual td[data-push]', (tds) => tds.map((t) => [Number((t as HTMLElement).dataset.push), t.textContent!] as [number, string]));
    expect(pushes.length).toBe(5 * 12 + 5 * 4);
    for (const [v, text] of pushes) expect(text).toMatch(v === 0 ? /^0$/ : v > 0 ? /^\+/ : /^−/);
  });

  test('why a hidden layer: under full descent a linear hidden layer ends within 1% of no hidden layer; ReLU reaches ~0', async () => {
    await page.$eval('#correlation-card', (e) => e.scrollIntoView());
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#correlation-result')?.dataset.state === 'done');
    const ends = await page.$eval('#correlation-result', (e) => ({ ...(e as HTMLElement).dataset }));
    const [single, linear, relu] = [Number(ends.single), Number(ends.linear), Number(ends.hidden)];
    expect(single).toBeCloseTo(1, 3);
    expect(Math.abs(linear - single) / single).toBeLessThan(0.01);
    expect(relu).toBeLessThan(1e-3);
    expect(await page.$eval('#correlation-result', (e) => e.textContent)).toMatch(/Without relu the two layers are one/);
  });

  test("where a single layer stalls: the seed's 3-1 run's predictions, and the walk and stop predictions' equal sums", async () => {
    const stall = await page.$$eval('#stall-table tbody tr[data-goal]', (trs) => trs.map((t) => ({ goal: Number((t as HTMLElement).dataset.goal), prediction: Number((t as HTMLElement).dataset.prediction) })));
    expect(stall).toHaveLength(4);
    const why = await page.$eval('#stall-why', (e) => ({ walkSum: (e as HTMLElement).dataset.walkSum, stopSum: (e as HTMLElement).dataset.stopSum, text: e.textContent }));
    expect(Number(why.walkSum)).toBeCloseTo(Number(why.stopSum), 4);
    expect(why.text).toMatch(/error 4 × 0\.5² = 1/);
    expect(await page.$eval('#stall p strong', (e) => e.textContent)).toMatch(/^1\.56/);
  });

  test("overfitting by hand: the lesson's weights are right on [1 0 1] and wrong on others; the trained ones on all six", async () => {
    await page.click('#overfit-lesson');
    const rows = await page.$$eval('#overfit-table tbody tr', (trs) => trs.map((t) => [t.children[0]!.textContent, (t as HTMLElement).dataset.right]));
    expect(rows[0]).toEqual(['[1 0 1]', 'true']);
    expect(rows.filter((r) => r[1] === 'false').length).toBe(4);
    expect(await page.$eval('#overfit-verdict', (e) => (e as HTMLElement).dataset.right)).toBe('2');
    await page.click('#overfit-trained');
    expect(await page.$eval('#overfit-verdict', (e) => e.textContent)).toBe('Right on all 6 examples. (Right: nearer the goal than the other answer, off by less than 0.5.)');
    // A weight typed by hand is taken at once.
    await page.$eval('input[name="overfit-middle"]', (i) => {
      (i as HTMLInputElement).value = '0';
      i.dispatchEvent(new Event('input'));
    });
    expect(Number(await page.$eval('#overfit-verdict', (e) => (e as HTMLElement).dataset.right))).toBeLessThan(6);
  });

  test('the three kinds of gradient descent are defined, compared, and summed up from the run', async () => {
    expect(await page.$$eval('#kinds dt', (dts) => dts.map((d) => d.textContent))).toEqual(['Stochastic', 'Full', 'Mini-batch']);
    await page.click('#compare');
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#kinds-takeaway')!.hidden);
    expect(await page.$eval('#kinds-takeaway', (e) => e.textContent)).toMatch(/^After 60 passes over the data the lowest error is stochastic \(batch 1\) [\d.e-]+, then .* After the same 60 updates \(full descent's count\): full \(batch 4\)/);
    expect(problems).toEqual([]);
    await page.close();
  });
});

test('a network without a hidden layer says so where the hidden dataset would be', async () => {
  const { page } = await openPage(env.browser(), `${env.url()}?layers=3,1`);
  await waitForState(page, 'idle');
  expect(await page.$eval('#hidden-dataset-none', (e) => e.textContent)).toMatch(/no hidden layer/);
  await page.close();
});
