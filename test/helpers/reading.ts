// What a student sees and hears, checked the way they meet it: the page at each width a phone or
// laptop has, and the names the browser's accessibility tree gives its pictures (the tree a screen
// reader reads; queried in both engines: Chromium through the DevTools protocol, Firefox through
// WebDriver BiDi's accessibility locator).

import type { Page } from 'puppeteer-core';
import { expect } from 'vitest';

/** WCAG's reflow width (320 px), a common phone, a tablet and a laptop. */
export const WIDTHS = [320, 360, 768, 1280] as const;

/** At each width, nothing is wider than the screen (polled: charts follow the width on the next frame). */
export async function expectNoSidewaysScroll(page: Page, state: string, widths: readonly number[] = WIDTHS): Promise<void> {
  const before = page.viewport();
  for (const width of widths) {
    await page.setViewport({ width, height: 900 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), { message: `${state}: sideways scrolling at ${width} px`, timeout: 5000 })
      .toBeLessThanOrEqual(0);
  }
  if (before) await page.setViewport(before);
}

/** Whether the accessibility tree has a node of `role` (as the tree names roles: an img is "image") named exactly `name`. */
export async function inTree(page: Page, role: string, name: string): Promise<boolean> {
  // The ARIA query's name is written inside [...]-free text: quotes and brackets would end it.
  if (/["[\]]/.test(name)) throw new Error(`a name the ARIA query cannot carry: ${name}`);
  return (await page.$(`aria/${name}[role="${role}"]`)) !== null;
}

/** Opens a disclosure (a <details>) by keyboard, as a screen reader's user would: focus its summary, Enter. */
export async function openByKeyboard(page: Page, summarySelector: string): Promise<void> {
  await page.focus(summarySelector);
  await page.keyboard.press('Enter');
  // Opened, and filled (on its toggle event, a task after the click).
  await page.waitForFunction((s: string) => document.querySelector(s)?.closest('details')?.querySelector(':scope > :not(summary)') != null, {}, summarySelector);
}

/** The names the page gives to pictures whose numbers a test cannot remake: read from the page, then each found in the tree. */
export async function namesInTree(page: Page, selector: string): Promise<string[]> {
  const names = await page.$$eval(selector, (es) => es.map((e) => e.getAttribute('aria-label') ?? ''));
  for (const name of names) expect(await inTree(page, 'image', name), name).toBe(true);
  return names;
}
