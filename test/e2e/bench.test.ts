// The benchmark page (bench.html), quick, in each engine on the software adapter: it is
// linked from the lesson, measures the ceiling and every case against TF.js and jax-js, fills
// the table and the JSON, and names the kernel variant each matmul ran; with "every kernel", times
// each variant the adapter can run beside it; no WCAG violation (axe-core) before or after.

import { describe, expect, test } from 'vitest';
import { SET_ASIDE_NOTE } from '../../src/kernels/matmulFast/tuner.js';
import { axeViolations } from '../helpers/axe.js';
import { ADAPTER_BADGE, openPage, usePageAndBrowser, waitForState } from '../helpers/browser.js';

const env = usePageAndBrowser();

describe('the benchmark page', () => {
  test('the lesson links to it', async () => {
    const { page } = await openPage(env.browser(), env.url());
    expect(await page.$eval('#bench-link', (a) => (a as HTMLAnchorElement).getAttribute('href'))).toBe('./bench.html');
    await page.close();
  });

  test('a quick run: the ceiling, ours against TF.js and jax-js, a table and the results as JSON', async () => {
    const { page, problems } = await openPage(env.browser(), `${env.url()}bench.html?quick=1&variants=1`, 1400, 1000, true);
    expect(await page.$eval('#adapter', (e) => e.textContent)).toMatch(ADAPTER_BADGE);
    expect(await axeViolations(page), 'WCAG before a run').toEqual([]);
    await page.click('#run');
    await waitForState(page, 'done', 240_000);
    expect(await axeViolations(page), 'WCAG after a run').toEqual([]);
    const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
    const peers = rows.map((r) => r[1]);
    expect(peers).toContain('the adapter itself');
    expect(peers).toContain('TF.js WebGPU');
    expect(peers).toContain('jax-js WebGPU (jit)');
    expect(peers).toContain('jax-js WebGPU (grad + jit)');
    expect(peers.filter((p) => p!.startsWith('best peer')).length).toBe(2);
    // A target is shown in the colour of its outcome, not of being ahead: 2× ahead, 10× missed, is red.
    const targets = await page.$$eval('#results tbody tr.best .target', (spans) => spans.map((s) => [s.className, s.textContent ?? '', getComputedStyle(s).color]));
    expect(targets.length).toBe(2);
    for (const [className, text, color] of targets) {
      expect(className).toBe(text!.includes('missed') ? 'target missed' : 'target met');
      expect(color).toBe(text!.includes('missed') ? 'rgb(220, 38, 38)' : 'rgb(6, 95, 70)'); // --down, --up (#065f46: 6.3:1, WCAG AA)
    }
    const matmul = rows.find((r) => r[0]!.startsWith('matmul') && r[1] === 'TF.js WebGPU')!;
    expect(matmul[6]).toMatch(/^\d+%$/); // of ceiling
    // The variant measured fastest, and ✓: its product was checked against float64 on this adapter.
    expect(matmul[7]).toMatch(/^((register|quad) \d+×\d+|tiled (8|16)×(8|16)|tiled 128×128( \(8×16 each\))?|split-K ×(4|16))\u00a0✓$/);
    // How it was checked, on hovering over the variant.
    const checkTitle = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => (tr.children[7] as HTMLElement | undefined)?.title ?? ''));
    expect(checkTitle.find((t) => t !== '')).toMatch(/^2,304 sampled entries within the tolerance \(worst \d\.\d{3} of the bound\)$/);
    // "every kernel": after the matmul, one row per variant this adapter can run, each checked,
    // against the one chosen, which is among them.
    const each = rows.filter((r) => r[0]!.endsWith(', each kernel'));
    const chosen = matmul[7]!.replace(/\u00a0✓$/, '');
    expect(each.length).toBeGreaterThanOrEqual(4);
    expect(new Set(each.map((r) => r[7])).size).toBe(each.length);
    for (const r of each) {
      expect(r[1]).toBe(`the one chosen: ${chosen}`);
      expect(r[7]).toMatch(/\u00a0✓$/);
      expect(r[5]).toMatch(/^(\d+\.\d|0\.\d+)×$/); // against the chosen one: 0.0093×, not 0.0×
    }
    expect(each.map((r) => r[7])).toContain(matmul[7]);
    expect(each.map((r) => r[7])).toContain('split-K ×4\u00a0✓');
    const json = JSON.parse(await page.$eval('#json', (t) => (t as HTMLTextAreaElement).value)) as {
      rows: { ceiling?: number; ofCeiling?: number; ours: number; case: string; check?: { ok: boolean }; runs: number; note?: string }[];
      ceiling: number;
      runs: number;
      variants: boolean;
    };
    expect(json.variants).toBe(true);
    // A variant set aside in the warm-up round (the trainer's rule) is timed that once, and says so.
    for (const r of json.rows.filter((row) => row.case.endsWith(', each kernel'))) {
      expect(r.runs).toBe(r.note ? 1 : json.runs);
      if (r.note) expect(r.note).toBe(SET_ASIDE_NOTE);
    }
    expect(json.rows.filter((r) => r.case.startsWith('matmul')).every((r) => r.check?.ok === true)).toBe(true);
    expect(json.ceiling).toBeGreaterThan(0);
    expect(json.rows.length).toBe(rows.length);
    // A matmul's ceiling: the higher of the run's and the ceiling kernel's timed again in turns with it.
    const m = json.rows.find((r) => r.case.startsWith('matmul'))!;
    expect(m.ceiling).toBeGreaterThanOrEqual(json.ceiling);
    expect(m.ofCeiling).toBeCloseTo(m.ours / m.ceiling!, 10);
    expect(await page.$eval('#copy', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  }, 300_000);
});
