// WCAG 2.1 A and AA (and 2.2 AA's target size) with axe-core, in each state the tests reach, on
// both pages and in both engines: the lesson at first load, stepped, after a run, the lab while
// editing, with a compile error, after a graded failure and solved, and the lesson without WebGPU.
// In the same states: each picture's name in the accessibility tree, with its numbers on demand,
// and no sideways scrolling at any width. The digits after an epoch and the benchmark after a quick
// run are checked the same way in the tests that reach those states (digits.test.ts, bench.test.ts).

import type { Page } from 'puppeteer-core';
import { describe, expect, test } from 'vitest';
import { short } from '../../src/ui/dom.js';
import { LAB_FILES } from '../../src/ui/lab/files.js';
import { axeViolations } from '../helpers/axe.js';
import { launch, openPage, stepDispatch, usePageAndBrowser, waitForState } from '../helpers/browser.js';
import { setEditorText } from '../helpers/lab.js';
import { expectNoSidewaysScroll, inTree, namesInTree, openByKeyboard } from '../helpers/reading.js';

/** Each heatmap's name, made from its exact values as the page must make it: range and negatives. */
async function heatmapsNamed(page: Page): Promise<string[]> {
  const maps = await page.$$eval('figure.heatmap', (fs) => fs.map((f) => ({ name: f.getAttribute('data-name')!, values: f.getAttribute('data-values')!.split(' ').map(Number), shape: f.querySelector('figcaption')!.textContent!.match(/\((\d+)×(\d+)\)/)!.slice(1).map(Number) })));
  // |GPU − CPU| cannot be negative: its name gives the range alone.
  const negatives = (name: string, values: number[]): string => (name.startsWith('|GPU − CPU|') ? '' : `, ${values.filter((v) => v < 0).length} of ${values.length} negative`);
  return maps.map(({ name, values, shape }) => `heatmap of ${name}, ${shape[0]} by ${shape[1]}: from ${short(Math.min(...values))} to ${short(Math.max(...values))}${negatives(name, values)}`);
}

/** The numbers table of the disclosure `summary` opens: header row, then each row's cells as text. */
const tableOf = (page: Page, details: string): Promise<string[][]> =>
  page.$$eval(`${details} table tr`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));


const env = usePageAndBrowser();

describe('no WCAG violations (axe-core)', () => {
  test('the lesson: first load, three dispatches stepped, every dispatch, after a run', async () => {
    const { page } = await openPage(env.browser(), env.url());
    expect(await axeViolations(page), 'first load').toEqual([]);
    // Each heatmap is named with its range and how many weights are negative; its values are a table on demand.
    for (const name of await heatmapsNamed(page)) expect(await inTree(page, 'image', name), name).toBe(true);
    await openByKeyboard(page, 'figure.heatmap details.numbers summary');
    const weights = await tableOf(page, 'figure.heatmap details.numbers');
    const values = (await page.$eval('figure.heatmap', (f) => f.getAttribute('data-values')!)).split(' ');
    expect(weights.slice(1).flatMap((row) => row.slice(1))).toEqual(values);
    expect(weights[0]!.slice(1)).toEqual(['h0', 'h1', 'h2', 'h3']);
    for (let i = 0; i < 3; i++) await stepDispatch(page, i);
    expect(await axeViolations(page), 'three dispatches stepped').toEqual([]);
    // The diagram says what the dispatch shown reads and writes, and where the weights' numbers are.
    expect(await namesInTree(page, '#network svg.network:not(.swatch)')).toEqual([
      "the network 3-4-1: 3 inputs, 4 hidden units, 1 output; this dispatch reads layer_1 and writes layer_1. Each weight, with its sign and size, is in the Weights card's tables.",
    ]);
    for (let i = 3; i < 11; i++) await stepDispatch(page, i);
    expect(await axeViolations(page), 'a whole step').toEqual([]);
    await page.click('#run');
    await waitForState(page, 'done');
    // The error chart: named with its curve's length and first and last error, every error a row on demand.
    await openByKeyboard(page, '#chart + details.numbers summary');
    const rows = await tableOf(page, '#chart + details.numbers');
    expect(rows.length).toBe(61);
    const [label] = rows[0]!.slice(1);
    const errors = rows.slice(1).map((r) => Number(r[1]));
    expect(errors.every((e) => e > 0 && e < 2)).toBe(true);
    expect(await inTree(page, 'image', `Chart of the error per iteration, log scale. ${label}: 60 points, from ${short(errors[0]!)} to ${short(errors[59]!)}.`)).toBe(true);
    await expectNoSidewaysScroll(page, 'after a run');
    await page.$eval('#correlation-card', (e) => e.scrollIntoView());
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#correlation-result')?.dataset.state === 'done');
    await page.click('#compare');
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#kinds-takeaway')!.hidden);
    expect(await axeViolations(page), 'after a run and a comparison').toEqual([]);
    await page.close();
  });

  test('the lab: editing, a compile error, a graded failure, solved', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?iterations=2`);
    // Chosen by keyboard: the focus stays on the exercise, now pressed.
    await page.focus('[data-exercise="mask"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('shader.activate2deriv='));
    await waitForState(page, 'idle');
    expect(await page.evaluate(() => [(document.activeElement as HTMLElement).dataset.exercise, document.activeElement!.getAttribute('aria-pressed')])).toEqual(['mask', 'true']);
    expect(await axeViolations(page), 'an exercise open').toEqual([]);
    const broken = LAB_FILES.relu!.code.replace('return select(0.0, 1.0, output > 0.0);', 'return select(0.0, 1.0, output > 0.0)');
    await page.select('#lab-file', 'relu');
    await setEditorText(page, broken);
    expect(await axeViolations(page), 'a compile error').toEqual([]);
    await setEditorText(page, LAB_FILES.relu!.code);
    await page.select('#lab-file', 'activate2deriv');
    await waitForState(page, 'idle');
    await page.focus('#run');
    await page.keyboard.press('Enter');
    await waitForState(page, 'error');
    expect(await axeViolations(page), 'a graded failure').toEqual([]);
    expect(await page.evaluate(() => document.activeElement !== document.body), 'the focus is not lost after a failed run').toBe(true);
    // The failure's |GPU − CPU| is a heatmap with its numbers, like the weights.
    for (const name of (await heatmapsNamed(page)).filter((n) => n.includes('|GPU − CPU|'))) expect(await inTree(page, 'image', name), name).toBe(true);
    await expectNoSidewaysScroll(page, 'the lab after a graded failure');
    await setEditorText(page, LAB_FILES.activate2deriv!.code);
    await page.waitForFunction(() => !location.search.includes('shader.'));
    await waitForState(page, 'idle');
    await page.click('#run');
    await waitForState(page, 'done');
    await page.waitForSelector('#lab-brief p.solved');
    expect(await axeViolations(page), 'solved').toEqual([]);
    await page.close();
  });

  test('the lesson without WebGPU', async () => {
    const plain = await launch(false);
    try {
      const { page } = await openPage(plain, env.url());
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
