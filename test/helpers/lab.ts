// The shader lab's editor driven as a student pastes into it, for the e2e tests of both engines.

import type { Page } from 'puppeteer-core';
import { expect } from 'vitest';

/** Replaces the editor's text as a paste would, and waits for the compile. */
export async function setEditorText(page: Page, text: string): Promise<void> {
  // The status of the last compile is hidden first, so the wait below sees this one's.
  await page.evaluate(() => void (document.querySelector<HTMLElement>('#lab-status')!.hidden = true));
  await page.evaluate(() => {
    const content = document.querySelector('#lab-editor')!.shadowRoot!.querySelector<HTMLElement>('.cm-content')!;
    content.focus();
  });
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  // The text inserted over the selection as the browser's own editing does it (insertText, what a
  // paste or an input method commits): the same in both engines, where typing key by key would take
  // seconds per kernel over Firefox's WebDriver BiDi and the editor would auto-indent each line.
  expect(await page.evaluate((t: string) => document.execCommand('insertText', false, t), text)).toBe(true);
  await page.waitForFunction(() => !document.querySelector<HTMLElement>('#lab-status')!.hidden, { timeout: 20_000 });
}
