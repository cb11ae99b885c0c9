// Real digits in the page: an epoch of MNIST on the GPU in headless Chromium, the held-out
// digits with their predictions, a digit drawn on the pad, the first layer's weights as images;
// after the epoch, no WCAG violation (axe-core), each picture named in the accessibility tree, and
// no sideways scrolling at any width.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LAB_FILES, toBase64Url } from '../../src/ui/lab/files.js';
import { axeViolations } from '../helpers/axe.js';
import { launch, openPage, usePageAndBrowser, waitForState } from '../helpers/browser.js';
import { expectNoSidewaysScroll, namesInTree } from '../helpers/reading.js';

const env = usePageAndBrowser();

describe('MNIST in the page', () => {
  test('an epoch on the GPU: accuracy, predictions, a drawn digit, first-layer images; an edited kernel set aside', async () => {
    // A link carries an edited gather that would feed the network zeros (10% accuracy, if it ran):
    // the digits run the kernels in shaders/, since nothing on the page would compare this run.
    const zeroed = LAB_FILES.gather!.code.replace('layer_0[dst + c] = shifted(src, x, y, shift, w, h);', 'layer_0[dst + c] = 0.0;');
    expect(zeroed).not.toBe(LAB_FILES.gather!.code);
    const { page, problems } = await openPage(env.browser(), `${env.url()}?example=mnist&iterations=1&autorun=1&shader.gather=${toBase64Url(zeroed)}`);
    await waitForState(page, 'done', 120_000);
    expect(await page.$eval('#digits-edits', (e) => [(e as HTMLElement).hidden, e.textContent])).toEqual([
      false,
      "Your edited shaders/gather.wgsl is not used here: the digits run the kernels as they are in shaders/, since nothing on this page compares their run with the CPU. Edits run, graded dispatch by dispatch, in the seed's lessons (two-layer, one-layer), where the shader lab is; they are kept for when you go back.",
    ]);
    expect(await page.$eval('#check', (e) => [(e as HTMLElement).dataset.ok, e.textContent])).toEqual(['not-shadowed', 'fast plan: this run is not compared with the CPU (its kernels are, in npm test)']);
    expect(await page.evaluate(() => location.search)).toContain('shader.gather=');
    expect(await page.$eval('#digits-card', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#step-card', (e) => (e as HTMLElement).hidden)).toBe(true);
    const accuracy = Number(await page.$eval('#epoch-report', (e) => (e as HTMLElement).dataset.testAccuracy));
    expect(accuracy).toBeGreaterThan(0.85);
    const digits = await page.$$eval('#digit-grid .digit', (ds) => ds.map((d) => [Number((d as HTMLElement).dataset.predicted), Number((d as HTMLElement).dataset.label), d.classList.contains('wrong')]));
    expect(digits).toHaveLength(40);
    for (const [predicted, label, wrong] of digits) expect(wrong).toBe(predicted !== label);
    expect(new Set(digits.map(([, label]) => label)).size).toBe(10);
    expect(await page.$$('#unit-images canvas')).toHaveLength(16);
    expect(await axeViolations(page), 'after an epoch').toEqual([]);
    // Each test digit says its label and the prediction; each unit's weights where they pull most.
    const names = await namesInTree(page, '#digit-grid canvas');
    expect(names.length).toBe(40);
    for (const name of names) expect(name).toMatch(/^a test image labelled \d, predicted \d with \d+%(: wrong)?$/);
    for (const name of await namesInTree(page, '#unit-images canvas')) {
      expect(name).toMatch(/^weights into hidden unit \d+, one per pixel: largest \S+ at row \d+, column \d+, smallest \S+ at row \d+, column \d+, \d+ of 784 negative$/);
    }
    const [accuracyChart] = await namesInTree(page, '#accuracy-chart');
    expect(accuracyChart).toMatch(/^Chart of the accuracy per epoch\. train: 1 point, from 0\.\d+ to 0\.\d+; test: 1 point, from 0\.\d+ to 0\.\d+\.$/);

    const pad = (await page.$('#draw-pad'))!;
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 2, box.y + box.height - 25, { steps: 12 });
    await page.mouse.up();
    await page.waitForSelector('#draw-outputs');
    const outputs = await page.$$eval('#draw-outputs .bar-fill', (bars) => bars.map((b) => Number((b as HTMLElement).dataset.value)));
    expect(outputs).toHaveLength(10);
    expect(outputs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const predicted = Number(await page.$eval('#draw-outputs', (e) => (e as HTMLElement).dataset.predicted));
    expect(outputs[predicted]).toBe(Math.max(...outputs));

    // What the page says around the digits: mistakes say which is the answer, the one epoch is drawn,
    // Step dispatch says why it is off, and the seed's cards are hidden.
    const mistake = await page.$eval('#digit-grid .digit.wrong figcaption', (e) => e.textContent).catch(() => undefined);
    if (mistake !== undefined) expect(mistake).toMatch(/^said \d, is \d$/);
    // Every cell of the held-out grid is as wide as its image: a mistake's caption wraps, no gaps.
    expect(new Set(await page.$$eval('#digit-grid .digit', (ds) => ds.map((d) => Math.round(d.getBoundingClientRect().width)))).size).toBe(1);
    // The gap between training and held-out accuracy, and what the image shifts do about memorising.
    expect(await page.$eval('#epoch-gap', (e) => e.textContent)).toMatch(/points ahead.* moved by up to 1 pixel, so the network never sees the same pixels twice/);
    expect(await page.$eval('#accuracy-chart', (c) => (c as HTMLElement).dataset.xLabel)).toBe('epoch');
    expect(await page.$eval('#step-dispatch', (b) => (b as HTMLButtonElement).title)).toMatch(/teaching plan/);
    expect(await page.$eval('#correlation-card', (e) => (e as HTMLElement).hidden)).toBe(true);
    await expectNoSidewaysScroll(page, 'the digits after an epoch');

    mkdirSync(join(import.meta.dirname, '..', 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(import.meta.dirname, '..', 'artifacts', 'digits.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  test('without WebGPU the digits train on the CPU reference', async () => {
    const plain = await launch(false);
    try {
      const { page, problems } = await openPage(plain, `${env.url()}?example=mnist&layers=784,16,10&iterations=1&autorun=1`);
      await waitForState(page, 'done', 120_000);
      expect(await page.$eval('#check', (e) => e.textContent)).toBe('CPU reference only');
      expect(Number(await page.$eval('#epoch-report', (e) => (e as HTMLElement).dataset.testAccuracy))).toBeGreaterThan(0.8);
      expect(problems).toEqual([]);
    } finally {
      await plain.close();
    }
  }, 180_000);
});
