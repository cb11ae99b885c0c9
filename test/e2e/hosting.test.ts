// A teacher hosts the built site anywhere: from a subfolder of a course site, and embedded in a
// course page of another origin with an <iframe> (the snippet in docs/deploy.md).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launch, openPage, servePage, waitForState } from '../helpers/browser.js';

let browser: Browser;
let site: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  site = await servePage('/course/backprop/');
  browser = await launch(true);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('hosted anywhere', () => {
  test('served from a subfolder: the page, its assets, the digits and the benchmark page all load', async () => {
    expect(site.url).toMatch(/\/course\/backprop\/$/);
    const { page, problems } = await openPage(browser, `${site.url}?example=mnist`);
    await waitForState(page, 'idle');
    // The digits were fetched relative to the page, and are ready to train.
    expect(await page.$eval('#epoch-report', (e) => e.textContent)).toMatch(/^Press Run/);
    await page.click('#bench-link');
    await page.waitForFunction(() => location.pathname.endsWith('/course/backprop/bench.html') && document.querySelector('#run') !== null);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('embedded with an <iframe> in a page of another origin, the lesson trains to the CPU\'s numbers', async () => {
    const lesson = `${site.url}?autorun=1&iterations=20`;
    // The course page: another port of 127.0.0.1 is another origin.
    const course: Server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Course</title><h1>Week 5: backpropagation</h1><iframe src="${lesson}" title="Backpropagation on the GPU" width="1200" height="900" style="border:0"></iframe>`);
    });
    await new Promise<void>((resolve) => course.listen(0, '127.0.0.1', resolve));
    try {
      const page = await browser.newPage();
      // The whole frame on screen: a browser slows the animation frames of a frame out of view.
      await page.setViewport({ width: 1300, height: 1100 });
      await page.goto(`http://127.0.0.1:${(course.address() as AddressInfo).port}/`);
      const frame = (await (await page.waitForSelector('iframe'))!.contentFrame())!;
      await frame.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 120_000, polling: 200 });
      await frame.waitForFunction(() => document.body.dataset.state === 'done', { timeout: 120_000, polling: 200 });
      expect(await frame.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
      expect(await frame.$eval('#adapter', (e) => e.textContent)).not.toMatch(/no WebGPU|CPU reference/);
      await page.close();
    } finally {
      // Chromium opens a spare connection that carries no request; close() alone waits ~100 s for it.
      course.closeAllConnections();
      await new Promise((resolve) => course.close(resolve));
    }
  });
});
