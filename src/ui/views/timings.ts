// How long each dispatch of one step takes, as a bar per dispatch, for the teaching plan beside the
// fast plan: fewer, fused dispatches are the fast plan's whole point.

import type { Timing } from '../../gpu/timing.js';
import { byId, clear, h } from '../dom.js';
import type { Lesson } from '../lessons/lesson.js';
import type { StepTiming } from '../../train/gpuTrainer.js';

/** "42 µs (GPU timestamps)" or "1.3 ms (CPU: submit to done)". */
export function describeTiming(t: Timing): string {
  const us = t.ns / 1000;
  const value = us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us < 10 ? 1 : 0)} µs`;
  return `${value} (${t.source === 'timestamp-query' ? 'GPU timestamps' : 'CPU: submit to done, no timestamp-query here'})`;
}

export function timingBars(plans: { plan: string; rows: StepTiming[] }[]): HTMLElement {
  const max = Math.max(1, ...plans.flatMap((p) => p.rows.map((r) => r.timing.ns)));
  const source = plans[0]?.rows[0]?.timing.source;
  const samples = plans[0]?.rows[0]?.timing.samples;
  return h(
    'div',
    { class: 'timings', 'data-source': source ?? '', 'data-samples': samples ?? 1 },
    samples
      ? h('p', { class: 'hint steady' }, `Steady state: each plan's step is run once to warm up (a pipeline's first run pays for its setup) and not counted, then ${samples} times; each bar is the median of those ${samples}.`)
      : null,
    h(
      'p',
      { class: 'hint' },
      source === 'timestamp-query'
        ? 'Measured with timestamp queries, each dispatch in a pass of its own. Browsers may round GPU timestamps for privacy (Chromium to 100 µs on most GPUs), so on some machines small dispatches read as 0 or 100 µs.'
        : 'This adapter has no timestamp-query: each dispatch is timed on the CPU from submit to done, which includes the submit itself.',
    ),
    ...plans.map((p) => {
      const total = p.rows.reduce((a, r) => a + r.timing.ns, 0);
      return h(
        'div',
        { class: 'timing-plan', 'data-plan': p.plan },
        h('h3', {}, `${p.plan} plan: ${p.rows.length} dispatches, ${describeTiming({ ns: total, source: p.rows[0]!.timing.source }).split(' (')[0]} in all`),
        ...p.rows.map((r) => {
          const bar = h('span', { class: 'timing-bar' });
          // Widths through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
          bar.style.width = `${Math.max(0.5, (100 * r.timing.ns) / max)}%`;
          return h(
            'div',
            { class: 'timing-row', 'data-ns': r.timing.ns },
            h('span', {}, h('code', { class: 'numpy' }, r.step.numpy), r.variant ? h('span', { class: 'variant', title: 'the kernel variant that ran' }, ` ${r.variant}`) : null),
            h('span', { class: 'timing-track' }, bar),
            h('span', { class: 'value' }, describeTiming(r.timing).split(' (')[0]),
          );
        }),
      );
    }),
  );
}

/** Times one step of `lesson` on its GPU, each dispatch alone, and draws the bars in #step-timings. */
export async function showStepTimings(lesson: Lesson | undefined): Promise<void> {
  if (!lesson?.timeStep || !lesson.onGpu) {
    clear(byId('step-timings'), h('p', { class: 'hint' }, 'Timing needs the GPU: without WebGPU the CPU reference runs the lesson.'));
    return;
  }
  clear(byId('step-timings'), timingBars(await lesson.timeStep()));
}
