// How runs with an edited kernel are graded: every buffer a dispatch writes against the CPU
// reference's value, and a watchdog for a dispatch that never finishes.

import { DeviceLostError, MismatchError } from '../errors.js';
import type { DispatchView } from './dispatchView.js';

/** A graded run's per-value tolerance, relative to max(1, |CPU value|): float32 against float64 on the seed's small sums differs by about 1e-7. */
export const GRADE_TOLERANCE = 1e-4;

/** How long a graded run waits for one dispatch of an edited kernel (the seed's take well under 10 ms). */
export const WATCHDOG_MS = 4000;

/** Where a graded run went wrong: the dispatch, the buffer, and |GPU − CPU| for every value of it. */
export interface Failure {
  view: DispatchView;
  buffer: string;
  rows: number;
  cols: number;
  diff: Float64Array;
  count: number;
  first: { row: number; col: number; gpu: number; cpu: number }[];
  maxDiff: number;
}

/** The first buffer the dispatch wrote differently from the CPU, beyond the tolerance; undefined if none. */
export function gradeDispatch(view: DispatchView): Failure | undefined {
  for (const b of view.written) {
    const diff = Float64Array.from(b.reference, (r, i) => Math.abs(b.values[i]! - r));
    const wrong = [...diff.keys()].filter((i) => !(diff[i]! <= GRADE_TOLERANCE * Math.max(1, Math.abs(b.reference[i]!))));
    if (!wrong.length) continue;
    const first = wrong.slice(0, 5).map((i) => ({ row: Math.floor(i / b.cols), col: i % b.cols, gpu: b.values[i]!, cpu: b.reference[i]! }));
    return { view, buffer: b.name, rows: b.rows, cols: b.cols, diff, count: wrong.length, first, maxDiff: diff.reduce((a, x) => Math.max(a, x), 0) };
  }
  return undefined;
}

/** The error a graded run stops with: the dispatch, the buffer, the first values. */
export function failureError(f: Failure): MismatchError {
  const where = `dispatch ${f.view.index + 1} (${f.view.step.numpy})`;
  return new MismatchError(
    `the edited kernel went wrong at ${where}: ${f.count} of ${f.diff.length} values of ${f.buffer} differ from the CPU reference, ` +
      f.first.map((x) => `[${x.row}][${x.col}] GPU ${x.gpu.toPrecision(6)} CPU ${x.cpu.toPrecision(6)}`).join(', '),
    'see the shader lab: the kernel, the buffer and |GPU − CPU| for each value',
  );
}

/**
 * `work`, given up on after WATCHDOG_MS: `abandon` is called (the page destroys the device) and
 * the loss is reported as any loss is, with the watchdog's reason. Whether the adapter then stops
 * the dispatch is the browser's affair (measured on SwiftShader: it does not).
 */
export async function watchdog<T>(work: Promise<T>, abandon: () => void, ms = WATCHDOG_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const abandoned = new DeviceLostError(
    'watchdog',
    `a dispatch of the edited kernel ran for more than ${ms / 1000} s (an endless loop?) and was abandoned; on a software adapter it goes on running, so reload the page before training again`,
  );
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      abandon();
      reject(abandoned);
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    // The destroyed device fails the dispatch's readback too: the watchdog's reason is the one to give.
    throw timedOut ? abandoned : error;
  } finally {
    clearTimeout(timer);
  }
}
