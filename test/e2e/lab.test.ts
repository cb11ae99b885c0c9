// The shader lab: every exercise's bug is caught by the CPU reference at the dispatch the lesson
// says, and its fix passes; a broken kernel passed in a link is caught and named; a compile error
// is shown at its line with the compiler's message.

import type { Page } from 'puppeteer-core';
import { describe, expect, test } from 'vitest';
import { EXERCISES } from '../../src/ui/lab/exercises.js';
import { LAB_FILES, toBase64Url } from '../../src/ui/lab/files.js';
import { browserCores, openPage, stepDispatch, usePageAndBrowser, waitForState } from '../helpers/browser.js';
import { setEditorText } from '../helpers/lab.js';

const env = usePageAndBrowser();

/**
 * Console problems, less those the browser makes itself: typing into the editor (a contenteditable)
 * makes Chromium's editing code try an inline style, which the page's CSP refuses, harmlessly; and
 * Firefox logs a shader module that does not compile, even one the page compiled to show the error.
 */
const real = (problems: string[]): string[] =>
  problems.filter((p) => !/Applying inline style violates .*style-src/.test(p) && !/^console: (Encountered one or more errors while creating shader module|\s*Shader validation error)/.test(p));

/** The lab's Reset puts the open file in shaders/ back; then a run trains with GPU = CPU. */
async function resetTrains(page: Page): Promise<void> {
  await page.click('#lab-reset');
  await page.waitForFunction(() => !location.search.includes('shader.'));
  await waitForState(page, 'idle');
  // The status line says so, and whatever went wrong before is gone from the lab.
  const file = await page.$eval('#lab-file', (s) => (s as HTMLSelectElement).value);
  expect(await page.$eval('#lab-status', (e) => [(e as HTMLElement).hidden, e.textContent])).toEqual([
    false,
    `Reset: your edit is gone. Runs use shaders/${file}.wgsl as it is in the repository, and training starts over.`,
  ]);
  expect(await page.$eval('#lab-failure', (e) => (e as HTMLElement).hidden)).toBe(true);
  await page.click('#run');
  await waitForState(page, 'done');
  expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
}

/** The dispatch number (from 1) of a numpy line in the page's plan. */
async function dispatchOf(page: Page, numpy: string): Promise<number> {
  const lines = await page.$$eval('#plan li code', (cs) => cs.map((c) => c.textContent));
  const i = lines.indexOf(numpy);
  expect(i, `${numpy} is in the plan`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe('exercises', () => {
  for (const exercise of EXERCISES) {
    test(`${exercise.title}: caught at ${exercise.caughtAt}, and the fix passes`, async () => {
      const { page, problems } = await openPage(env.browser(), `${env.url()}?iterations=2&log=1`);
      await page.click(`[data-exercise="${exercise.id}"]`);
      // Applied once the run has started again with the edit, which the link then carries.
      await page.waitForFunction((file: string) => location.search.includes(`shader.${file}=`), { timeout: 20_000 }, exercise.file);
      await waitForState(page, 'idle');
      await page.click('#run');
      await waitForState(page, 'error');
      const expected = await dispatchOf(page, exercise.caughtAt);
      expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('false');
      expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.dispatch)).toBe(String(expected));
      expect(await page.$eval('#lab-failure', (e) => (e as HTMLElement).dataset.dispatch)).toBe(String(expected));
      expect(await page.$$('#lab-failure canvas')).not.toHaveLength(0);
      // |GPU − CPU| cannot be negative, and its scale does not say it can.
      expect(await page.$eval('#lab-failure .scale-bar', (e) => e.getAttribute('aria-label'))).toMatch(/^colour scale from 0 to [\d.e+-]+$/);

      // The fix: the file as it is in shaders/. A graded run passes and the exercise is solved.
      await setEditorText(page, LAB_FILES[exercise.file]!.code);
      expect(await page.$eval('#lab-status', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
      // Back as in shaders/: the edit leaves the link, and the run starts again from the start.
      await page.waitForFunction(() => !location.search.includes('shader.'));
      await waitForState(page, 'idle');
      await page.click('#run');
      await waitForState(page, 'done');
      expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
      await page.waitForSelector(`[data-exercise="${exercise.id}"][data-solved="true"]`);
      expect(real(problems)).toEqual([]);
      await page.close();
    });
  }
});

describe('links and compile errors', () => {
  test('a correct edit, the same maths written another way, is graded and passes', async () => {
    const { page, problems } = await openPage(env.browser(), `${env.url()}?iterations=1&log=1`);
    await page.select('#lab-file', 'relu');
    const code = LAB_FILES.relu!.code.replace('  return select(0.0, 1.0, output > 0.0);', '  if (output > 0.0) {\n    return 1.0;\n  }\n  return 0.0;');
    await setEditorText(page, code);
    await page.waitForFunction(() => location.search.includes('shader.relu='));
    await waitForState(page, 'idle');
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
    expect(await page.$eval('#lab-edited', (e) => e.textContent)).toMatch(/Edited: shaders\/relu\.wgsl\. Runs are graded dispatch by dispatch/);
    expect(await page.$eval('#lab-failure', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(real(problems)).toEqual([]);
    await page.close();
  });

  test('Step dispatch with an edited kernel is graded too: the dispatch that goes wrong stops and is named', async () => {
    const broken = LAB_FILES.activate!.code.replace('layer[i] = activation(layer[i]);', 'layer[i] = layer[i];');
    const { page } = await openPage(env.browser(), `${env.url()}?shader.activate=${toBase64Url(broken)}`);
    const expected = await dispatchOf(page, 'layer_1 = relu(layer_1)');
    for (let i = 0; i < expected - 1; i++) {
      await page.click('#step-dispatch');
      await page.waitForFunction((n: number) => Number(document.querySelector<HTMLElement>('#dispatch-detail')?.dataset.step) === n, {}, i);
    }
    await page.click('#step-dispatch');
    await waitForState(page, 'error');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.dispatch)).toBe(String(expected));
    expect(await page.$eval('#lab-failure', (e) => (e as HTMLElement).dataset.buffer)).toBe('layer_1');
    await page.close();
  });

  test('a broken kernel passed in a link trains with autorun, is caught, and named', async () => {
    const broken = LAB_FILES.update!.code.replace('weights[i] - params.scale', 'weights[i] + params.scale');
    const { page } = await openPage(env.browser(), `${env.url()}?iterations=2&log=1&autorun=1&shader.update=${toBase64Url(broken)}`);
    await waitForState(page, 'error');
    const expected = await dispatchOf(page, 'weights_1_2 -= alpha * weight_delta_1_2');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.dispatch)).toBe(String(expected));
    expect(await page.$eval('#check', (e) => e.textContent)).toMatch(/GPU ≠ CPU at dispatch \d+: weights_1_2 -= alpha \* weight_delta_1_2/);
    // The link keeps the edit, so it can be passed on.
    expect(await page.evaluate(() => new URLSearchParams(location.search).has('shader.update'))).toBe(true);
    await page.close();
  });

  test('an edited kernel with an endless loop is refused with the reason, and the page stays usable', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?iterations=2&log=1`);
    const code = LAB_FILES.relu!.code.replace('  return select(0.0, x, x > 0.0);', '  var y = x;\n  loop {\n    y = y + 1.0;\n  }\n  return y;');
    await setEditorText(page, code);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#lab-status')?.dataset.ok === 'false');
    expect(await page.$eval('#lab-status', (e) => e.textContent)).toMatch(/^Not run: line \d+: this loop has no break or return, so it would never end/);
    expect(await page.evaluate(() => new URLSearchParams(location.search).has('shader.relu'))).toBe(false);
    // The page still trains, on the file in shaders/.
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
    await page.close();
  });

  test('in Write relu2deriv: a compile error, then an edit that compiles but is wrong at 0, then Reset: graded, caught, and usable throughout', async () => {
    const { page, problems } = await openPage(env.browser(), `${env.url()}?iterations=2&log=1`);
    await page.click('[data-exercise="relu2deriv"]');
    await page.waitForFunction(() => location.search.includes('shader.relu='), { timeout: 20_000 });
    await waitForState(page, 'idle');
    const body = (line: string): string => LAB_FILES.relu!.code.replace('  return select(0.0, 1.0, output > 0.0);', `  ${line}`);
    // A bool where an f32 is returned: reported at its line, nothing applied.
    await setEditorText(page, body('return output > 0.0;'));
    expect(await page.$eval('#lab-status', (e) => (e as HTMLElement).dataset.ok)).toBe('false');
    expect(await page.$eval('#lab-status', (e) => e.textContent)).toMatch(/^line \d+:\d+: \S/); // each compiler in its words: Tint (Chromium), naga (Firefox)
    // Compiles, but exactly 0 passes the error back: graded, and caught where the lesson says.
    const link = await page.evaluate(() => location.search);
    await setEditorText(page, body('return select(0.0, 1.0, output >= 0.0);'));
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#lab-status')?.dataset.ok === 'true');
    // Applied once the lesson has started again with it, which the link then carries.
    await page.waitForFunction((before: string) => location.search !== before, {}, link);
    await waitForState(page, 'idle');
    const state = await page.evaluate(() => ({
      run: document.querySelector<HTMLButtonElement>('#run')!.disabled,
      step: document.querySelector<HTMLButtonElement>('#step-dispatch')!.disabled,
      position: document.querySelector('#position')!.textContent,
      notice: document.querySelector<HTMLElement>('#notice')!.hidden ? '' : document.querySelector('#notice')!.textContent,
    }));
    expect(state).toEqual({ run: false, step: false, position: expect.stringMatching(/^iteration 1 of 2/), notice: '' });
    await page.click('#run');
    await waitForState(page, 'error');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.dispatch)).toBe(String(await dispatchOf(page, 'layer_1_delta *= relu2deriv(layer_1)')));
    expect(await page.$eval('body', (e) => e.textContent)).not.toMatch(/uncaptured|CreateShaderModule/);
    // The lab's Reset puts the file in shaders/ back, and the lesson trains to the CPU's numbers.
    await resetTrains(page);
    expect(real(problems)).toEqual([]);
    await page.close();
  });

  test('grading off: a bug ruins training before your eyes, the run goes on, and the badge says the GPU and CPU disagree', async () => {
    const { page, problems } = await openPage(env.browser(), `${env.url()}?iterations=20`);
    await page.click('#lab-grade');
    await page.click('[data-exercise="sign"]');
    await page.waitForFunction(() => location.search.includes('shader.update='), { timeout: 20_000 });
    await waitForState(page, 'idle');
    expect(await page.$eval('#lab-status', (e) => e.textContent)).toMatch(/ungraded: they go on past a wrong dispatch/);
    await page.click('#run');
    await waitForState(page, 'done');
    const errors = await page.$eval('#position', (e) => Number((e as HTMLElement).dataset.lastError));
    const log = (await page.$eval('#log', (e) => e.textContent ?? '')).split('\n').map((l) => Number(l.replace(/^Error:/, '')));
    // Going uphill: the error grows instead of falling.
    expect(errors).toBeGreaterThan(log[0]!);
    const badge = await page.$eval('#check', (e) => ({ ok: (e as HTMLElement).dataset.ok, graded: (e as HTMLElement).dataset.graded, text: e.textContent }));
    expect(badge).toEqual({ ok: 'false', graded: 'false', text: 'GPU ≠ CPU beyond the tolerance · not stopped: grading is off' });
    expect(real(problems)).toEqual([]);
    await page.close();
  });

  // More workgroup memory than a device allows: it compiles, and the GPU refuses the pipeline. In a
  // kernel of its own (update), and in a file compiled into others (relu, in every kernel that
  // applies the activation): either way the lab names the edited file.
  const GREEDY = {
    update: LAB_FILES.update!.code
      .replace('@compute', 'var<workgroup> big: array<f32, 60000>;\n\n@compute')
      .replace('  weights[i] = weights[i] - params.scale * weight_delta[i];', '  big[i % 60000u] = 1.0;\n  weights[i] = weights[i] - params.scale * weight_delta[i] + big[0] * 0.0;'),
    relu: LAB_FILES.relu!.code
      .replace('fn relu(x: f32) -> f32 {', 'var<workgroup> big: array<f32, 60000>;\n\nfn relu(x: f32) -> f32 {\n  big[0] = x;')
      .replace('return select(0.0, x, x > 0.0);', 'return select(0.0, x, x > 0.0) + big[0] * 0.0;'),
  };
  test.each(Object.keys(GREEDY))('an edit of %s.wgsl that compiles but that the GPU will not run: one sentence in the lab, no raw WebGPU text; reset, it trains', async (file) => {
    const greedy = GREEDY[file as keyof typeof GREEDY];
    expect(greedy).toContain('big[0] * 0.0');
    const { page, problems } = await openPage(env.browser(), `${env.url()}?iterations=2&shader.${file}=${toBase64Url(greedy)}`);
    await waitForState(page, 'error');
    const status = await page.$eval('#lab-status', (e) => [(e as HTMLElement).dataset.ok, e.textContent ?? '']);
    expect(status[0]).toBe('false');
    expect(status[1]).toMatch(new RegExp(`^Your shaders/${file}\\.wgsl compiles, but the GPU will not run it: .*workgroup.* Change it, or reset it to the file in shaders/\\.$`, 'is'));
    expect(status[1]).not.toMatch(/\n|WebGPU validation error|While |\[Device/);
    expect(await page.$eval('#form-error', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#notice', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#announce', (e) => e.textContent)).toBe(status[1]);
    await resetTrains(page);
    expect(real(problems)).toEqual([]);
    await page.close();
  });

  // A loop the static check cannot see never ends (an unsigned count is always >= 0), in each lab
  // file that has a loop: its guard stops it, the lab says where, and the same tab then trains the
  // lesson's numbers with the file reset.
  const RUNAWAY = [
    { file: 'gather', from: 'for (var c = id.x; c < batch.input_size; c += WORKGROUP_SIZE) {\n      layer_0[dst + c] = inputs[src + c];', to: 'for (var c = id.x; c >= 0u; c += WORKGROUP_SIZE) {\n      layer_0[dst + c] = inputs[src + c];', numpy: 'layer_0, goal = inputs[i:i+1], targets[i:i+1]' },
    { file: 'matmul', from: 'for (var k = 0u; k < shape.K; k++)', to: 'for (var k = 0u; k >= 0u; k++)', numpy: 'layer_1 = np.dot(layer_0, weights_0_1)' },
    { file: 'output_delta', from: 'for (var i = t; i < params.count; i += WORKGROUP_SIZE)', to: 'for (var i = t; i >= 0u; i += WORKGROUP_SIZE)', numpy: 'layer_2_delta = layer_2 - goal; error += np.sum(layer_2_delta ** 2)' },
  ];
  test('a loop that never ends, in each lab file with a loop: stopped by its guard at its dispatch, said in the lab; the tab then trains', async () => {
    const { page, problems } = await openPage(env.browser(), env.url());
    for (const { file, from, to, numpy } of RUNAWAY) {
      const code = LAB_FILES[file]!.code;
      expect(code, file).toContain(from);
      const line = code.slice(0, code.indexOf(from)).split('\n').length;
      await page.goto(`${env.url()}?iterations=2&shader.${file}=${toBase64Url(code.replace(from, to))}`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      await waitForState(page, 'idle');
      await page.click('#run');
      await waitForState(page, 'error');
      const dispatch = await dispatchOf(page, numpy);
      const status = await page.$eval('#lab-status', (e) => [(e as HTMLElement).dataset.ok, (e as HTMLElement).dataset.line, e.textContent]);
      expect(status, file).toEqual([
        'false',
        String(line),
        `The loop at line ${line} of shaders/${file}.wgsl ran past 100,000 iterations at dispatch ${dispatch} (${numpy}) and was stopped (a correct kernel needs far fewer: look at what its condition tests and what changes it).`,
      ]);
      expect(await page.$eval('#check', (e) => e.textContent), file).toBe(`stopped: the loop at line ${line} of shaders/${file}.wgsl ran away`);
      // Nothing goes on running: the browser, its GPU process included, is idle again.
      expect(await browserCores(env.browser()), `${file}: cores the browser uses after the stop`).toBeLessThan(0.3);
      // The guard is in the WGSL the page shows for the edit: nothing hidden.
      await page.click('#lab-reset');
      await waitForState(page, 'idle');
      await page.goto(`${env.url()}?log=10`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
    }
    // The same tab trains the lesson's numbers.
    await page.click('#run');
    await waitForState(page, 'done');
    expect(await page.$eval('#check', (e) => (e as HTMLElement).dataset.ok)).toBe('true');
    expect((await page.$eval('#log', (e) => e.textContent ?? '')).split('\n').at(-1)).toMatch(/^Error:1\.505\d*e-05$/);
    expect(real(problems)).toEqual([]);
    await page.close();
  });

  test('an edit the current network does not compile says so, not that runs use it', async () => {
    const { page } = await openPage(env.browser(), `${env.url()}?activation=tanh`);
    await page.select('#lab-file', 'relu');
    await setEditorText(page, LAB_FILES.relu!.code.replace('return select(0.0, x, x > 0.0);', 'return max(0.0, x);'));
    expect(await page.$eval('#lab-status', (e) => e.textContent)).toBe(
      'Compiled, but the current network does not run shaders/relu.wgsl (another activation, or no hidden layer, or no GPU): change the settings to run it.',
    );
    await page.close();
  });

  test('the guard is in the WGSL the page shows for an edit with a loop', async () => {
    const code = LAB_FILES.matmul!.code.replace('sum += a_at(i, k) * b_at(k, j);', 'sum = sum + a_at(i, k) * b_at(k, j);');
    const { page } = await openPage(env.browser(), `${env.url()}?shader.matmul=${toBase64Url(code)}`);
    for (let i = 0; i < 2; i++) await stepDispatch(page, i);
    const wgsl = await page.$eval('#dispatch-detail pre.wgsl', (e) => e.textContent ?? '');
    expect(wgsl).toMatch(/var guard_0: u32 = 0u; for \(var k = 0u; k < shape\.K; k\+\+\) \{ guard_0 \+= 1u; if \(guard_0 > 100000u\) \{ atomicMax\(&loop_guard\[0\], \d+u\); break; \}/);
    expect(wgsl).toContain('var<storage, read_write> loop_guard: array<atomic<u32>, 1>;');
    await page.close();
  });

  test('grading off, stepped: the wrong dispatch is announced as wrong, and the badge claims no comparison before the first', async () => {
    const { page, problems } = await openPage(env.browser(), env.url());
    const badge = (): Promise<string> => page.$eval('#check', (e) => e.textContent ?? '');
    expect(await badge()).toBe('GPU and CPU start from the same weights: nothing compared yet');
    // Neither green nor red: nothing has agreed or disagreed yet.
    expect(await page.$eval('#check', (e) => e.className)).toBe('badge');
    await page.click('#lab-grade');
    await page.click('[data-exercise="sign"]');
    await page.waitForFunction(() => location.search.includes('shader.update='), { timeout: 20_000 });
    await waitForState(page, 'idle');
    expect(await page.$eval('#lab-edited', (e) => e.textContent)).toBe('Edited: shaders/update.wgsl. Runs are not graded: their weights are compared with the CPU after each chunk.');
    const update = await dispatchOf(page, 'weights_1_2 -= alpha * weight_delta_1_2');
    for (let i = 0; i < update; i++) await stepDispatch(page, i);
    // Mid-batch no weights were compared yet; the dispatch's own values are, in the status line.
    expect(await page.$eval('#announce', (e) => e.textContent)).toMatch(
      new RegExp(`^Dispatch ${update} of 11: weights_1_2 -= alpha \\* weight_delta_1_2\\. Wrote weights_1_2 \\(4 by 1\\); GPU differs from CPU in weights_1_2: \\d of 4 values, largest difference `),
    );
    expect(await badge()).toBe('GPU and CPU start from the same weights: nothing compared yet · not stopped: grading is off');
    expect(real(problems)).toEqual([]);
    await page.close();
  });

  test('the editor wraps long lines: a click anywhere never scrolls column 0 out of sight', async () => {
    const { page } = await openPage(env.browser(), env.url(), 360, 900);
    await page.$eval('#lab-card', (e) => e.scrollIntoView());
    const longest = await page.evaluate(() => {
      const lines = [...document.querySelector('#lab-editor')!.shadowRoot!.querySelectorAll<HTMLElement>('.cm-line')];
      const line = lines.reduce((a, b) => ((b.textContent ?? '').length > (a.textContent ?? '').length ? b : a));
      line.scrollIntoView({ block: 'center' });
      const r = line.getBoundingClientRect();
      return { x: r.right - 3, y: r.bottom - 4 };
    });
    await page.mouse.click(longest.x, longest.y);
    const scroller = await page.evaluate(() => {
      const s = document.querySelector('#lab-editor')!.shadowRoot!.querySelector<HTMLElement>('.cm-scroller')!;
      return { left: s.scrollLeft, overflow: s.scrollWidth - s.clientWidth };
    });
    expect(scroller).toEqual({ left: 0, overflow: 0 });
    await page.close();
  });

  test('a compile error is shown at its line with the message from getCompilationInfo()', async () => {
    const { page } = await openPage(env.browser(), env.url());
    const lines = LAB_FILES.relu!.code.split('\n');
    const at = lines.findIndex((l) => l.includes('return select(0.0, 1.0, output > 0.0);'));
    lines[at] = '  return select(0.0, 1.0, output > 0.0)'; // the semicolon dropped
    await setEditorText(page, lines.join('\n'));
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#lab-status')?.dataset.ok === 'false');
    const status = await page.$eval('#lab-status', (e) => ({ line: Number((e as HTMLElement).dataset.line), text: e.textContent ?? '' }));
    expect(status.line).toBeGreaterThanOrEqual(at + 1);
    expect(status.line).toBeLessThanOrEqual(at + 2);
    expect(status.text).toMatch(/^line \d+:\d+: .*(expected|;)/);
    expect(await page.evaluate(() => document.querySelector('#lab-editor')!.shadowRoot!.querySelectorAll('.cm-lintRange-error').length)).toBeGreaterThan(0);
    // Nothing was applied: runs still use the file in shaders/.
    expect(await page.evaluate(() => new URLSearchParams(location.search).has('shader.relu'))).toBe(false);
    await page.close();
  });
});
