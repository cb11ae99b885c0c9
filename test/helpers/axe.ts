// axe-core (the npm package) run in a page as the tests reach each state: the WCAG 2.0, 2.1 and
// 2.2 A and AA rules. Injected by evaluation, which the page's Content-Security-Policy (no inline
// scripts) does not see, in both engines.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'puppeteer-core';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rules' tags: WCAG 2.1 A and AA, and 2.2 AA (target size). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** "color-contrast: footer (4.44:1) …", one line per violated rule with its first nodes, or none. */
export async function axeViolations(page: Page | Frame): Promise<string[]> {
  await page.evaluate(source);
  return page.evaluate(async (tags: string[]) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.length} nodes, e.g. ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} (${(n.failureSummary ?? '').split('\n').slice(1).join(' ').trim().slice(0, 140)})`).join('; ')}`);
  }, WCAG_TAGS);
}
