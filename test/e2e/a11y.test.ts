// WCAG 2.1 A and AA (and 2.2 AA's target size) with axe-core, in each state the tests reach, on
// both pages and in both engines: the lesson at first load, stepped, after a run, the lab while
// editing, with a compile error, after a graded failure and solved; the digits after an epoch; the
// benchmark after a quick run; and the lesson without WebGPU.

import { describe, expect, test } from 'vitest';
import { LAB_FILES } from '../../src/ui/lab/files.js';
import { axeViolations } from '../helpers/axe.js';
import { launch, openPage, stepDispatch, usePageAndBrowser, waitForState } from '../helpers/browser.js';
import { setEditorText } from '../helpers/lab.js';

const env = usePageAndBrowser();

describe('no WCAG violations (axe-core)', () => {
  test('the lesson: first load, three dispatches stepped, every dispatch, after a run', async () => {
    const { page } = await openPage(env.browser(), env.url());
    expect(await axeViolations(page), 'first load').toEqual([]);
    for (let i = 0; i < 3; i++) await stepDispatch(page, i);
    expect(await axeViolations(page), 'three dispatches stepped').toEqual([]);
    for (let i = 3; i < 11; i++) await stepDispatch(page, i);
    expect(await axeViolations(page), 'a whole step').toEqual([]);
    await page.click('#run');
    await waitForState(page, 'done');
    await page.$eval('#correlation-card', (e) => e.scrollIntoView());
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#correlation-result')?.dataset.state === 'done');
    await page.click('#compare');
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#kinds-takeaway')!.hidden);
    expect(await axeViolations(page), 'after a run and a comparison').toEqual([]);
    await page.close();
  });

  test('the lab: editing, a compile error, a graded failure, solved', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?iterations=2`);
    await page.click('[data-exercise="mask"]');
    await page.waitForFunction(() => location.search.includes('shader.activate2deriv='));
    await waitForState(page, 'idle');
    expect(await axeViolations(page), 'an exercise open').toEqual([]);
    const broken = LAB_FILES.relu!.code.replace('return select(0.0, 1.0, output > 0.0);', 'return select(0.0, 1.0, output > 0.0)');
    await page.select('#lab-file', 'relu');
    await setEditorText(page, broken);
    expect(await axeViolations(page), 'a compile error').toEqual([]);
    await setEditorText(page, LAB_FILES.relu!.code);
    await page.select('#lab-file', 'activate2deriv');
    await waitForState(page, 'idle');
    await page.click('#run');
    await waitForState(page, 'error');
    expect(await axeViolations(page), 'a graded failure').toEqual([]);
    await setEditorText(page, LAB_FILES.activate2deriv!.code);
    await page.waitForFunction(() => !location.search.includes('shader.'));
    await waitForState(page, 'idle');
    await page.click('#run');
    await waitForState(page, 'done');
    await page.waitForSelector('#lab-brief p.solved');
    expect(await axeViolations(page), 'solved').toEqual([]);
    await page.close();
  });

  test('the digits after an epoch', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?example=mnist&iterations=1&autorun=1`);
    await waitForState(page, 'done');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  test('the benchmark page, before and after a quick run', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}bench.html?quick=1`);
    expect(await axeViolations(page), 'before').toEqual([]);
    await page.click('#run');
    await waitForState(page, 'done', 240_000);
    expect(await axeViolations(page), 'after').toEqual([]);
    await page.close();
  }, 300_000);

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
