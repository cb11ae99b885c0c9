// The lesson by keyboard alone and through what a screen reader reads: a skip link first, every
// action keeps the focus where the student is, the invocation grid is one Tab stop walked with the
// arrow keys, the file inputs can be reached, and each step and the end of a run are announced in
// one polite status line.

import type { Page } from 'puppeteer-core';
import { expect, test } from 'vitest';
import { launch, openPage, usePageAndBrowser, waitForState } from '../helpers/browser.js';

const env = usePageAndBrowser();

const focused = (page: Page): Promise<string> => page.evaluate(() => {
  const e = document.activeElement;
  return e === null || e === document.body ? 'body' : `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`;
});

const announced = (page: Page): Promise<string> => page.$eval('#announce', (e) => `${e.getAttribute('role')}|${e.getAttribute('aria-live')}|${e.textContent}`);

test('by keyboard alone: skip link, stepping, stepping back, the invocation grid, a run; each announced', async () => {
  const { page, problems } = await openPage(env.browser(), env.url());
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the dispatch view');
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => location.hash)).toBe('#step-card');

  // Step dispatch twice with the keyboard: the focus stays on the button, each step is announced.
  await page.focus('#step-dispatch');
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press('Enter');
    await page.waitForFunction((n: number) => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === n, {}, i);
    await page.waitForFunction((n: number) => document.querySelector('#announce')!.textContent!.startsWith(`Dispatch ${n} of 11`), {}, i + 1);
  }
  expect(await focused(page)).toBe('button#step-dispatch');
  expect(await announced(page)).toMatch(/^status\|polite\|Dispatch 2 of 11: layer_1 = np\.dot\(layer_0, weights_0_1\)\. Wrote layer_1 \(1 by 4\); GPU equals CPU, largest difference /);

  // The invocation grid: one Tab stop, the arrow keys move the lit cell, leaving clears it.
  expect(await page.$$eval('#dispatch-detail .out-grid td', (tds) => tds.filter((t) => (t as HTMLElement).tabIndex === 0).length)).toBe(1);
  await page.focus('#dispatch-detail .out-grid td[data-row="0"][data-col="0"]');
  await page.keyboard.press('ArrowRight');
  expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.col)).toBe('1');
  expect(await page.$$eval('.invocations .inv.hot', (s) => s.map((e) => (e as HTMLElement).dataset.gid))).toEqual(['1,0']);
  expect(await page.$eval('#dispatch-detail .arithmetic', (e) => e.textContent)).toMatch(/^\(1, 0, 0\): /);
  await page.focus('#step-dispatch');
  expect(await page.$$('#dispatch-detail .hot')).toHaveLength(0);

  // Step back by keyboard: the focus is not lost to the page.
  await page.focus('#step-back');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === 0);
  expect(await focused(page)).not.toBe('body');

  // The file inputs can be reached and opened from the keyboard.
  for (const selector of ['input[name="file"]', '#import-weights']) {
    await page.focus(selector);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).type)).toBe('file');
  }

  // A run to the end: announced, and the focus goes to Reset (Run is disabled once done).
  await page.focus('#run');
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.keyboard.press('Enter');
  await waitForState(page, 'done');
  await page.waitForFunction(() => document.querySelector('#announce')!.textContent!.startsWith('Done'));
  expect(await announced(page)).toMatch(/^status\|polite\|Done: 60 iterations, error [\d.e-]+; GPU equals CPU\.$/);
  expect(await focused(page)).toBe('button#reset');
  // The focus moved without scrolling the page away from what the run drew; the hint says what is next.
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  expect(await page.$eval('#what-to-do', (e) => e.textContent)).toMatch(/^Trained: the chart shows how the error fell\. Press Reset to train again/);
  expect(problems).toEqual([]);
  await page.close();
});

test('on a phone: the bar at the foot of the screen steps and steps back, by keyboard', async () => {
  const { page, problems } = await openPage(env.browser(), env.url(), 360, 740);
  const bar = await page.$eval('.action-bar', (b) => {
    const box = b.getBoundingClientRect();
    return { bottom: Math.round(box.bottom), position: getComputedStyle(b).position, visible: [...b.querySelectorAll('button')].filter((x) => x.getBoundingClientRect().width > 0).map((x) => x.id) };
  });
  expect(bar).toEqual({ bottom: 740, position: 'fixed', visible: ['run', 'step-iteration', 'step-dispatch', 'step-back-bar', 'reset'] });
  expect(await page.$eval('#step-back-bar', (b) => [(b as HTMLButtonElement).disabled, (b as HTMLButtonElement).title])).toEqual([true, 'Step a dispatch first: Step back puts back what it wrote.']);
  await page.focus('#step-dispatch');
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press('Enter');
    await page.waitForFunction((n: number) => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === n, {}, i);
  }
  await page.focus('#step-back-bar');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === 0);
  expect(await focused(page)).toBe('button#step-back-bar');
  await page.waitForFunction(() => document.querySelector('#announce')!.textContent!.startsWith('Dispatch 1 of 11'));
  // The first dispatch can be put back in its turn.
  expect(await page.$eval('#step-back-bar', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
  expect(problems).toEqual([]);
  await page.close();
});

test('reduced motion: a run redraws its live views at most once a second, and always its end', async () => {
  const calm = await launch(true, undefined, { reducedMotion: true });
  try {
    const { page } = await openPage(calm, `${env.url()}?iterations=300`);
    expect(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(true);
    await page.evaluate(() => {
      const w = window as unknown as { draws: number };
      w.draws = 0;
      new MutationObserver(() => w.draws++).observe(document.querySelector('#position')!, { childList: true, characterData: true, subtree: true });
    });
    const start = Date.now();
    await page.click('#run');
    await waitForState(page, 'done');
    const seconds = (Date.now() - start) / 1000;
    const draws = await page.evaluate(() => (window as unknown as { draws: number }).draws);
    expect(draws).toBeGreaterThanOrEqual(1);
    expect(draws, `${draws} draws in ${seconds} s`).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(await page.$eval('#position', (e) => e.textContent)).toMatch(/^done: 300 iterations/);
  } finally {
    await calm.close();
  }
});
