// The page's other views as a student reads them after the lesson: the lesson's own pressure
// table, dead hidden units named, labelled heatmaps, counters that agree, labelled axes.

import type { Page } from 'puppeteer-core';
import { describe, expect, test } from 'vitest';
import { openPage, usePageAndBrowser, waitForState } from '../helpers/browser.js';

const env = usePageAndBrowser();

const table = (page: Page, selector: string): Promise<string[][]> =>
  page.$$eval(`${selector} tr`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));

describe('up and down pressure', () => {
  test("the lesson's table for the six streetlights has the lesson's signs, labelled with the lights, inputs and goals", async () => {
    const { page, problems } = await openPage(env.browser(), `${env.url()}?dataset=streetlights&layers=3,1&iterations=1`);
    const rows = await table(page, '.lesson-pressure');
    expect(rows).toEqual([
      ['example', 'left', 'middle', 'right', 'goal'],
      ['[1 0 1]', '−', '0', '−', 'stop'],
      ['[0 1 1]', '0', '+', '+', 'walk'],
      ['[0 0 1]', '0', '0', '−', 'stop'],
      ['[1 1 1]', '+', '+', '+', 'walk'],
      ['[0 1 1]', '0', '+', '+', 'walk'],
      ['[1 0 1]', '−', '0', '−', 'stop'],
      // The left weight: 2 down and 1 up; the middle: all up; the right: as many up as down.
      ['net', '−', '+', '±', ''],
    ]);
    // Beside it, the actual push at the current weights, its columns named from → to.
    const actual = await table(page, '.pressure-actual table[data-matrix="weights_0_1"]');
    expect(actual[0]).toEqual(['example', 'left→walk', 'middle→walk', 'right→walk']);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('with alpha 5 every hidden ReLU dies: the units are named, and the error sits at Σ goal² with a reason', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?alpha=5&autorun=1`);
    await waitForState(page, 'done');
    expect(await page.$eval('.pressure-actual p.dead', (e) => (e as HTMLElement).dataset.dead)).toBe('0,1,2,3');
    expect(await page.$eval('.pressure-actual p.dead', (e) => e.textContent)).toMatch(/h0, h1, h2, h3 never fire on any example/);
    await page.close();
  });

  test('weight heatmaps name the units each row comes from and each column feeds, with a colour scale', async () => {
    const { page } = await openPage(env.browser(), env.url());
    const labels = await page.$$eval('#weights figure', (fs) =>
      fs.map((f) => ({
        rows: [...f.querySelectorAll('.heatmap-rows span')].map((s) => s.textContent),
        cols: [...f.querySelectorAll('.heatmap-cols span')].map((s) => s.textContent),
        scale: f.querySelectorAll('.scale canvas').length,
      })),
    );
    expect(labels).toEqual([
      { rows: ['left', 'middle', 'right'], cols: ['h0', 'h1', 'h2', 'h3'], scale: 1 },
      { rows: ['h0', 'h1', 'h2', 'h3'], cols: ['walk'], scale: 1 },
    ]);
    await page.close();
  });
});

describe('feedback a student can see', () => {
  test('the first screen says what to do, at phone width too', async () => {
    for (const width of [360, 1280]) {
      const { page } = await openPage(env.browser(), env.url(), width, 740);
      const box = await page.$eval('#what-to-do', (e) => {
        const r = e.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, text: e.textContent ?? '' };
      });
      expect(box.bottom, `at ${width} px the hint is on the first screen`).toBeLessThanOrEqual(740);
      expect(box.text).toMatch(/Press Run/);
      // The controls that drive the lesson are whole on the first screen, and the settings are no
      // box that scrolls inside the page. (Pause takes Run's place in the bar while a run goes on.)
      const controls = await page.evaluate(() =>
        ['#run', '#step-iteration', '#step-dispatch', '#step-back-bar', '#reset'].map((s) => {
          const r = document.querySelector(s)!.getBoundingClientRect();
          return [s, r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth && r.height >= 24 && r.width >= 24];
        }),
      );
      if (width <= 760) for (const [s, whole] of controls) expect(whole, `${s} whole on the first screen at ${width} px`).toBe(true);
      expect(await page.$eval('aside.controls', (a) => a.scrollHeight - a.clientHeight)).toBeLessThanOrEqual(width <= 760 ? 0 : Infinity);
      await page.close();
    }
  });

  test('the counters agree: the sidebar and the dispatch view count iterations, batches and updates the same way', async () => {
    const { page } = await openPage(env.browser(), env.url());
    for (let i = 0; i < 12; i++) {
      await page.click('#step-dispatch');
      await page.waitForFunction((n: number) => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === n % 11, {}, i);
    }
    // The 12th dispatch is the first of batch 2; one batch, one update, is done.
    expect(await page.$eval('#position', (e) => e.textContent)).toBe('iteration 1 of 60 · batch 2 of 4 · 1 update');
    expect(await page.$eval('#dispatch-detail .dispatch-head', (e) => e.textContent)).toBe('Iteration 1 of 60 · batch 2 of 4 · dispatch 1 of 11');
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await page.$eval('#position', (e) => e.textContent)).toBe('done: 60 iterations of 4 batches · 240 updates');
    expect(await page.$eval('#dispatch', (e) => e.textContent)).toMatch(/The run is done\. Press “Reset”/);
    await page.close();
  });

  test('the chart says what it measures; per update, full descent is one point a pass, stochastic four', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?autorun=1`);
    await waitForState(page, 'done');
    const axes = await page.$eval('#chart', (c) => [(c as HTMLElement).dataset.xLabel, (c as HTMLElement).dataset.yLabel]);
    expect(axes).toEqual(['iteration: passes over the data', 'error Σ(pred − goal)² per pass']);
    await page.click('#compare');
    await page.waitForFunction(() => [...document.querySelectorAll('#chart .u-legend .u-label')].some((l) => l.textContent === 'full (batch 4)'));
    await page.click('#per-update');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#chart')?.dataset.xLabel === 'updates (weight changes) made');
    await page.close();
  });

  test('an error stuck at Σ goal² is explained: every hidden ReLU has died', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?alpha=5&autorun=1`);
    await waitForState(page, 'done');
    expect(await page.$eval('#stuck', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#stuck', (e) => e.textContent)).toMatch(/stayed at 2 = Σ goal².*every hidden ReLU unit has died.*try a smaller alpha/);
    // A run that learns says nothing of the kind.
    const ok = await openPage(env.browser(), `${env.url()}?autorun=1`);
    await waitForState(ok.page, 'done');
    expect(await ok.page.$eval('#stuck', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.close();
    await ok.page.close();
  });
});
