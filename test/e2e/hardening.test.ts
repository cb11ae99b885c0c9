// The page under stress: a device lost mid-run is resumed from the last weights read back; clicks
// while a readback is pending cause no mapping errors; the Content-Security-Policy allows only the
// page's own origin; imported files are parsed, never evaluated.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, test } from 'vitest';
import { openPage, usePageAndBrowser, waitForState } from '../helpers/browser.js';

const env = usePageAndBrowser();

const text = (page: Page, selector: string): Promise<string> => page.$eval(selector, (e) => e.textContent ?? '');
const steps = (page: Page): Promise<number> => page.$eval('#position', (e) => Number((e as HTMLElement).dataset.steps));

describe('device loss', () => {
  test('a device destroyed mid-run: the page says so, keeps the weights, and resumes on a new device to the same result', async () => {
    const page = await env.browser().newPage();
    // Keep every device the page makes, so the test can lose one as a driver reset would.
    await page.evaluateOnNewDocument(() => {
      const original = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, ...args: Parameters<GPUAdapter['requestDevice']>) {
        const device = await original.apply(this, args);
        ((window as unknown as { devices: GPUDevice[] }).devices ??= []).push(device);
        return device;
      };
    });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push((e as Error).message));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${env.url()}?iterations=5000&log=1250`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 120_000 });

    // The reference: the same run uninterrupted.
    await page.click('#run');
    await waitForState(page, 'done');
    const reference = await text(page, '#log');
    await page.click('#reset');
    await waitForState(page, 'idle');

    await page.click('#run');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#position')!.dataset.steps) >= 400);
    // Lost while the run is going on (it has 20,000 steps to make).
    expect(await page.$eval('body', (b) => b.dataset.state)).toBe('running');
    await page.evaluate(() => (window as unknown as { devices: GPUDevice[] }).devices.at(-1)!.destroy());
    await page.waitForSelector('#resume', { timeout: 30_000 });
    expect(await text(page, '#notice')).toMatch(/the GPU device was lost \(destroyed\).*Nothing is lost: the weights after \d+ iterations, the last read back, are kept/);
    expect(await page.$eval('body', (b) => b.dataset.state)).toBe('error');

    await page.click('#resume');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#notice')!.hidden);
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await text(page, '#log')).toBe(reference);
    expect(await text(page, '#position')).toBe('done: 5000 iterations of 4 batches · 20000 updates');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('clicks while the GPU is busy', () => {
  test('run, step, pause, reset and step again in quick succession: no mapping errors, a consistent state', async () => {
    const { page, problems } = await openPage(env.browser(), `${env.url()}?iterations=300&log=100`);
    // Fire clicks without waiting for each other: each lands while a readback may be pending.
    await page.evaluate(() => {
      const click = (id: string): void => document.getElementById(id)!.click();
      click('run');
      click('step-dispatch');
      click('step-iteration');
      setTimeout(() => click('pause'), 30);
      setTimeout(() => click('step-dispatch'), 35);
      setTimeout(() => click('reset'), 60);
      setTimeout(() => click('step-dispatch'), 62);
      setTimeout(() => click('step-dispatch'), 63);
    });
    await page.waitForFunction(() => document.body.dataset.state === 'idle' || document.body.dataset.state === 'paused', { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    // After the reset the run starts clean, and finishes as a run from scratch does.
    await page.click('#reset');
    await waitForState(page, 'idle');
    expect(await steps(page)).toBe(0);
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await text(page, '#position')).toBe('done: 300 iterations of 4 batches · 1200 updates');
    expect((await text(page, '#log')).split('\n')).toHaveLength(3);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('examples switched faster than the digits load: the last choice wins, and its lesson trains', async () => {
    const { page, problems } = await openPage(env.browser(), env.url());
    // Four choices in one task: each asks for its lesson before the one before is built. Until the
    // last is built, nothing can run or step.
    const during = await page.evaluate(() => {
      const example = document.querySelector<HTMLSelectElement>('form [name="example"]')!;
      for (const name of ['mnist', 'one-layer', 'mnist', 'two-layer']) {
        example.value = name;
        example.dispatchEvent(new Event('change', { bubbles: true }));
      }
      const disabled = (id: string): boolean => document.querySelector<HTMLButtonElement>(`#${id}`)!.disabled;
      return [document.body.dataset.state, disabled('run'), disabled('step-dispatch'), disabled('step-iteration'), disabled('reset')];
    });
    expect(during).toEqual(['starting', true, true, true, false]);
    await waitForState(page, 'idle');
    const hidden = (id: string): Promise<boolean> => page.$eval(`#${id}`, (e) => (e as HTMLElement).hidden === true);
    expect([await hidden('digits-card'), await hidden('lab-card'), await hidden('step-card')]).toEqual([true, false, false]);
    expect(await page.evaluate(() => location.search)).toBe('?example=two-layer');
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await text(page, '#position')).toBe('done: 60 iterations of 4 batches · 240 updates');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
    expect(problems).toEqual([]);
    await page.close();
  });

  test('pausing mid-run keeps the state; running on completes the same run', async () => {
    // Long enough that the pause lands mid-run: live runs make hundreds of iterations a second.
    const { page, problems } = await openPage(env.browser(), `${env.url()}?iterations=5000&log=1000`);
    // Pause is pressed the moment the run has drawn 40 steps, from inside the page: pressed from
    // the test, the click could arrive after a busy machine had finished the whole run.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const position = document.querySelector<HTMLElement>('#position')!;
          const observer = new MutationObserver(() => {
            if (Number(position.dataset.steps) <= 40) return;
            observer.disconnect();
            document.querySelector<HTMLButtonElement>('#pause')!.click();
            resolve();
          });
          observer.observe(position, { attributes: true, childList: true, characterData: true, subtree: true });
          document.querySelector<HTMLButtonElement>('#run')!.click();
        }),
    );
    await waitForState(page, 'paused');
    const paused = await steps(page);
    await new Promise((r) => setTimeout(r, 300));
    expect(await steps(page)).toBe(paused);
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await steps(page)).toBe(20000);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('Content-Security-Policy and imports', () => {
  test('the page allows only its own origin: an injected inline script does not run', async () => {
    const page = await env.browser().newPage();
    await page.goto(env.url());
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content'));
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    const ran = await page.evaluate(async () => {
      const violation = new Promise<string>((resolve) => document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective)));
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
      return { injected: (window as unknown as { injected?: boolean }).injected ?? false, directive: await violation };
    });
    expect(ran).toEqual({ injected: false, directive: expect.stringMatching(/^script-src/) });
    await page.close();
  });

  test('imported files are parsed, never evaluated or rendered as HTML', async () => {
    const { page, problems } = await openPage(env.browser(), env.url());
    const dir = mkdtempSync(join(tmpdir(), 'backprop-import-'));
    const hostile = join(dir, 'weights.json');
    writeFileSync(
      hostile,
      JSON.stringify({ format: 'webgpu-backprop/weights', version: 1, layers: ['<img src=x onerror="window.pwned=1">', 4, 1], weights: {} }),
    );
    await page.click('details.files summary');
    const input = await page.$('#import-weights');
    await (input as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(hostile);
    await page.waitForFunction(() => document.querySelector('#import-status')!.textContent !== '');
    expect(await text(page, '#import-status')).toMatch(/"layers" must be an array of layer sizes/);
    const csv = join(dir, 'data.csv');
    writeFileSync(csv, 'a,b,c,y\n1,0,1,<script>window.pwned=1</script>\n');
    const dataset = await page.$('input[name=file]');
    await (dataset as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(csv);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#form-error')!.hidden);
    expect(await text(page, '#form-error')).toMatch(/data.csv: line 2, column 4 is "<script>window.pwned/);
    expect(await page.evaluate(() => ({ pwned: (window as unknown as { pwned?: number }).pwned, images: document.images.length }))).toEqual({
      pwned: undefined,
      images: 0,
    });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('names a link sends', () => {
  test("Object.prototype's keys as an example, a dataset, an activation or a lab file: refused in one line, the page ready", async () => {
    const { page, problems } = await openPage(env.browser(), `${env.url()}?example=constructor`);
    expect(await page.$eval('#form-error', (e) => [(e as HTMLElement).hidden, e.textContent])).toEqual([false, 'unknown example "constructor" (choose one of: two-layer, one-layer, mnist)']);
    for (const query of ['?dataset=__proto__', '?activation=toString', '?example=hasOwnProperty&dataset=valueOf']) {
      await page.goto(`${env.url()}${query}`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      expect(await page.$eval('#form-error', (e) => [(e as HTMLElement).hidden, (e.textContent ?? '').split('\n').length]), query).toEqual([false, 1]);
    }
    await page.goto(`${env.url()}?shader.constructor=AAAA&shader.__proto__=AAAA`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    expect(await page.$eval('#notice', (e) => e.textContent)).toMatch(/shaders\/constructor\.wgsl, which the lab does not have/);
    expect(problems).toEqual([]);
    await page.close();
  });
});
