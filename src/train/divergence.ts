// When a run must stop: the error is no longer finite, has passed what float32 can hold, or has
// exploded; and when it has stopped moving (stuck). The messages say the cause and what to try.

import { FLOAT32_MAX, type Dataset } from '../data/dataset.js';
import { DivergenceError } from '../errors.js';
import type { TrainConfig } from './config.js';
import { pyFloat } from './format.js';
import type { Checkpoint, IterationError } from './types.js';

/** True for the iterations the seed prints: iteration % logEvery == logEvery - 1, and the last one. */
export function isLogged(iteration: number, config: TrainConfig): boolean {
  return iteration % config.logEvery === config.logEvery - 1 || iteration === config.iterations - 1;
}

/** An error this many times the first iteration's (and above EXPLODED_FLOOR) has exploded. */
const EXPLOSION = 1e6;
const EXPLODED_FLOOR = 1e6;

/** The largest |value| in the data: squared and summed, it says whether float32 can hold the error at all. */
export function dataPeak(dataset: Dataset): number {
  let peak = 0;
  for (const m of [dataset.inputs, dataset.targets]) for (let i = 0; i < m.length; i++) peak = Math.max(peak, Math.abs(m[i]!));
  return peak;
}

/** What a divergence check needs to know of the data: its largest |value| and its rows. */
export interface DataScale {
  peak: number;
  rows: number;
}

/**
 * Stops a run whose error is no longer finite, has passed what float32 can hold (the CPU's float64
 * is held to the GPU's range, so both stop alike), or has exploded. The message says the cause:
 * data so large that its squared error overflows float32 whatever alpha is (scale the data), or
 * alpha (try a smaller one). `first` is the first iteration's error, the scale an explosion is
 * measured against.
 */
export function assertFinite(entry: IterationError, config: TrainConfig, first: number | undefined, lastFinite: Checkpoint | undefined, data: DataScale): void {
  const exploded = first !== undefined && entry.error > EXPLODED_FLOOR && entry.error > EXPLOSION * first;
  if (Number.isFinite(entry.error) && entry.error <= FLOAT32_MAX && !exploded) return;
  const what = !Number.isFinite(entry.error) ? `is ${entry.error}` : entry.error > FLOAT32_MAX ? `passed float32's range at ${entry.error.toExponential(3)}` : `exploded to ${entry.error.toExponential(3)}`;
  // Squared errors summed over a pass: with values this large float32 overflows from the start.
  const dataCause = data.peak * data.peak * data.rows * config.layers.at(-1)! > FLOAT32_MAX / 16;
  const cause = dataCause
    ? `the data's values reach ${data.peak.toExponential(1)}, so their squared error overflows float32 whatever alpha is`
    : `alpha ${config.alpha} is too large for this network and data`;
  const error = new DivergenceError(
    `training diverged: the error of iteration ${entry.iteration} ${what} (${cause})` +
      (lastFinite ? `; the last finite weights are ${describeCheckpoint(lastFinite)}` : ''),
    dataCause ? `scale the data down, e.g. divide it by ${data.peak.toExponential(0)}` : `try --alpha ${config.alpha / 10}`,
  );
  throw Object.assign(error, { lastFinite });
}

/** A test loss that is not finite after an epoch: the weights (or the test data) overflowed. */
export function testDivergence(epoch: number, loss: number, config: TrainConfig, lastFinite: Checkpoint): DivergenceError {
  const error = new DivergenceError(
    `training diverged: the test loss after epoch ${epoch + 1} is ${loss} (the weights are no longer finite, or the test data overflows)`,
    `try --alpha ${config.alpha / 10}`,
  );
  return Object.assign(error, { lastFinite });
}

/** "the weights after iteration 9" (0-based, as the log numbers iterations), or "the starting weights". */
export function describeCheckpoint(checkpoint: Checkpoint): string {
  return checkpoint.iteration === 0 ? 'the starting weights' : `the weights after iteration ${checkpoint.iteration - 1}`;
}

/** The weights a DivergenceError or DeviceLostError carries: the last checkpoint before it. */
export function lastCheckpoint(error: unknown): Checkpoint | undefined {
  return (error as { lastFinite?: Checkpoint; checkpoint?: Checkpoint }).lastFinite ?? (error as { checkpoint?: Checkpoint }).checkpoint;
}

/** Iterations the stuck warning looks back over. */
export const STUCK_WINDOW = 11;

/** The error the same for the last 10 iterations, bit for bit, and not ~0: stuck (dead ReLUs, or no correlation). */
export function stuckWarning(errors: readonly IterationError[], config: TrainConfig): string[] {
  if (errors.length < STUCK_WINDOW) return [];
  const last = errors.at(-1)!.error;
  if (last < 1e-6 || !errors.slice(-STUCK_WINDOW).every((e) => e.error === last)) return [];
  const hidden = config.layers.length > 2;
  return [
    `the error has not changed for 10 iterations (it stays at ${pyFloat(last)})` +
      (hidden ? `: every hidden ReLU unit may have died; try a smaller alpha than ${config.alpha} or another seed` : ''),
  ];
}
