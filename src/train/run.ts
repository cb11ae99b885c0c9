// A whole training run, on the GPU or on the CPU reference, optionally shadowed step by step by
// the CPU (check). The GPU runs from one log point to the next in one go and reads back the errors
// and the weights there: those weights are the checkpoint. If the device is lost the run goes on
// from the checkpoint on a new device; if the error stops being finite or explodes it stops, and
// the checkpoint holds the last finite weights. Nothing trained is lost either way.

import { FLOAT32_MAX, type Dataset } from '../data/dataset.js';
import { DeviceLostError, DivergenceError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { TrainConfig } from './config.js';
import { CpuExecutor } from './cpuExecutor.js';
import { ShadowCheck } from './check.js';
import { pyFloat } from './format.js';
import { appendAll } from './cursor.js';
import { createTrainer, type PlanChoice } from './trainer.js';
import type { IterationError } from './gpuTrainer.js';

export interface Checkpoint {
  /** Iterations completed when these weights were read back. */
  iteration: number;
  weights: Float32Array[] | Float64Array[];
}

export interface TrainRun {
  config: TrainConfig;
  dataset: Dataset;
  weights: readonly ArrayLike<number>[];
  /** The GPU to train on; without it the CPU reference trains alone. */
  ctx?: GpuContext | undefined;
  /** Shadow every GPU step with the CPU reference and compare. */
  check?: boolean;
  /** How the GPU trains: 'auto' (the default), 'fast', 'resident' or 'teaching'. */
  plan?: PlanChoice;
  /** Called for every logged iteration, in order. */
  onLog?: (entry: IterationError) => void;
  /** A held-out set: with classification data, each logged iteration (epoch) is followed by its evaluation. */
  test?: Dataset | undefined;
  /** Called after each logged epoch of a classification run, with the training and test figures. */
  onEpoch?: (report: EpochReport) => void;
  /** Called as the steps of an epoch complete (for a progress bar): steps done in the run, and in all. */
  onProgress?: (done: number, total: number) => void;
  /** Called at every checkpoint (the weights read back at a log point). */
  onCheckpoint?: (checkpoint: Checkpoint, ctx: GpuContext | undefined) => void;
  /** A new device after the old one was lost; without it a loss ends the run. */
  recover?: () => Promise<GpuContext>;
  /** Called when a lost device is replaced, before the run goes on from `checkpoint`. */
  onRecover?: (lost: DeviceLostError, checkpoint: Checkpoint) => void;
  /**
   * Asked between steps (GPU: between submits; CPU: between pieces of an epoch): true stops the
   * run after the step in flight, returning the weights then, with `interrupted` set.
   */
  shouldStop?: () => boolean;
  /**
   * Keep every iteration's error in the result (the default, for tests and the page); false keeps
   * only the first, the last and what the stuck warning needs, so memory does not grow with the
   * number of iterations (the command).
   */
  keepErrors?: boolean;
}

/** Iterations the GPU runs at most between readbacks of the errors (and a checkpoint). */
const MAX_UNREAD = 4096;

/** Device losses a run survives at most. */
const MAX_RECOVERIES = 3;

export interface EpochReport {
  /** 0-based, as iterations are. */
  epoch: number;
  /** Mean loss per training example, from the forward passes that trained on them. */
  trainError: number;
  trainAccuracy: number;
  /** Mean loss per test example, and accuracy, with the weights at the end of the epoch. */
  testError?: number;
  testAccuracy?: number;
}

export interface CheckSummary {
  /** Largest |gpu − cpu| over every weight after every step. */
  maxDiff: number;
  /** The bound at the last step. */
  bound: number;
  /** Largest relative difference in the error per iteration. */
  maxErrorDiff: number;
  ok: boolean;
  /** The first step beyond the bound: which weights, where, both values. */
  firstFailure?: string | undefined;
}

export interface TrainResult {
  /** Every iteration's error (all of them, logged or not), unless keepErrors was false: then none. */
  errors: IterationError[];
  /** The first and the last iteration's error (undefined only when no iteration completed). */
  first: IterationError | undefined;
  last: IterationError | undefined;
  /** Set when shouldStop() stopped the run: the steps done, and the iterations completed. */
  interrupted?: { steps: number; iterations: number };
  weights: Float32Array[] | Float64Array[];
  steps: number;
  timeMs: number;
  /** Devices lost and replaced during the run. */
  recoveries: number;
  /** Things the user should know about a run that finished (a stuck error, say). */
  warnings: string[];
  /** For classification runs: one report per logged epoch. */
  epochs: EpochReport[];
  /** The device the run finished on (a new one after a loss). */
  ctx?: GpuContext | undefined;
  check?: CheckSummary;
}

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

/**
 * Stops a run whose error is no longer finite, has passed what float32 can hold (the CPU's float64
 * is held to the GPU's range, so both stop alike), or has exploded. The message says the cause:
 * data so large that its squared error overflows float32 whatever alpha is (scale the data), or
 * alpha (try a smaller one). `first` is the first iteration's error, the scale an explosion is
 * measured against; `peak` the data's largest |value|.
 */
export function assertFinite(entry: IterationError, config: TrainConfig, first?: number, lastFinite?: Checkpoint, peak = 0, rows = 1): void {
  const exploded = first !== undefined && entry.error > EXPLODED_FLOOR && entry.error > EXPLOSION * first;
  if (Number.isFinite(entry.error) && entry.error <= FLOAT32_MAX && !exploded) return;
  const what = !Number.isFinite(entry.error) ? `is ${entry.error}` : entry.error > FLOAT32_MAX ? `passed float32's range at ${entry.error.toExponential(3)}` : `exploded to ${entry.error.toExponential(3)}`;
  // Squared errors summed over a pass: with values this large float32 overflows from the start.
  const dataCause = peak * peak * rows * config.layers.at(-1)! > FLOAT32_MAX / 16;
  const cause = dataCause
    ? `the data's values reach ${peak.toExponential(1)}, so their squared error overflows float32 whatever alpha is`
    : `alpha ${config.alpha} is too large for this network and data`;
  const error = new DivergenceError(
    `training diverged: the error of iteration ${entry.iteration} ${what} (${cause})` +
      (lastFinite ? `; the last finite weights are ${describeCheckpoint(lastFinite)}` : ''),
    dataCause ? `scale the data down, e.g. divide it by ${peak.toExponential(0)}` : `try --alpha ${config.alpha / 10}`,
  );
  throw Object.assign(error, { lastFinite });
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
const STUCK_WINDOW = 11;

/** The error the same for the last 10 iterations, bit for bit, and not ~0: stuck (dead ReLUs, or no correlation). */
function stuckWarning(errors: IterationError[], config: TrainConfig): string[] {
  if (errors.length < STUCK_WINDOW) return [];
  const last = errors.at(-1)!.error;
  if (last < 1e-6 || !errors.slice(-STUCK_WINDOW).every((e) => e.error === last)) return [];
  const hidden = config.layers.length > 2;
  return [
    `the error has not changed for 10 iterations (it stays at ${pyFloat(last)})` +
      (hidden ? `: every hidden ReLU unit may have died; try a smaller alpha than ${config.alpha} or another seed` : ''),
  ];
}

export async function train(run: TrainRun): Promise<TrainResult> {
  const { config, dataset, onLog } = run;
  const started = performance.now();
  const keep = run.keepErrors ?? true;
  const errors: IterationError[] = [];
  /** The last STUCK_WINDOW errors, for the stuck warning (and the last one). */
  const tail: IterationError[] = [];
  let first: IterationError | undefined;
  const epochs: EpochReport[] = [];
  const peak = dataPeak(dataset);
  let checkpoint: Checkpoint = { iteration: 0, weights: run.weights.map((w) => Float64Array.from(w)) };
  const record = (entries: readonly IterationError[]): void => {
    for (const entry of entries) {
      assertFinite(entry, config, first?.error ?? entry.error, checkpoint, peak, dataset.rows);
      first ??= entry;
      if (keep) errors.push(entry);
      tail.push(entry);
      if (tail.length > STUCK_WINDOW) tail.shift();
      if (onLog && isLogged(entry.iteration, config)) onLog(entry);
    }
  };
  /** After a logged epoch of a classification run: its figures, with the test set's when there is one. */
  const report = async (entry: IterationError, evaluate?: (data: Dataset) => Promise<{ error: number; correct: number; rows: number }>): Promise<void> => {
    if (entry.correct === undefined || !isLogged(entry.iteration, config)) return;
    const epoch: EpochReport = { epoch: entry.iteration, trainError: entry.error / dataset.rows, trainAccuracy: entry.correct / dataset.rows };
    if (run.test && evaluate) {
      const t = await evaluate(run.test);
      epoch.testError = t.error / t.rows;
      epoch.testAccuracy = t.correct / t.rows;
      if (!Number.isFinite(epoch.testError)) {
        const error = new DivergenceError(
          `training diverged: the test loss after epoch ${entry.iteration + 1} is ${epoch.testError} (the weights are no longer finite, or the test data overflows)`,
          `try --alpha ${config.alpha / 10}`,
        );
        throw Object.assign(error, { lastFinite: checkpoint });
      }
    }
    epochs.push(epoch);
    run.onEpoch?.(epoch);
  };
  const finish = (weights: Float32Array[] | Float64Array[], steps: number, extra: Partial<TrainResult> = {}): TrainResult => ({
    errors,
    first,
    last: tail.at(-1),
    weights,
    steps,
    timeMs: performance.now() - started,
    recoveries,
    warnings: extra.interrupted ? [] : stuckWarning(tail, config),
    epochs,
    ...extra,
  });
  const stop = run.shouldStop ?? (() => false);
  let recoveries = 0;
  const batchesPerIteration = Math.ceil(dataset.rows / config.batchSize);
  const totalSteps = config.iterations * batchesPerIteration;
  // With a progress bar or a way to stop, an epoch runs in about 50 pieces, each waited for;
  // without, in one go.
  const piece = run.onProgress ? Math.max(1, Math.ceil(batchesPerIteration / 50)) : Infinity;

  if (!run.ctx) {
    const cpu = new CpuExecutor(config, dataset, run.weights);
    // The CPU computes without waiting for anything; a run that can be stopped gives the event
    // loop a turn every 50 ms so that a signal handler can run.
    let turn = performance.now();
    // One array for every iteration's errors: nothing is allocated per step but the errors themselves.
    const done: IterationError[] = [];
    for (let i = 0; i < config.iterations; i++) {
      done.length = 0;
      while (cpu.iteration === i) {
        cpu.runInto(Math.min(run.shouldStop ? Math.min(piece, 64) : piece, batchesPerIteration - cpu.batch), done);
        run.onProgress?.(cpu.steps, totalSteps);
        if (run.shouldStop && performance.now() - turn > 50) {
          await new Promise((resolve) => setImmediate(resolve));
          turn = performance.now();
        }
        if (stop()) {
          record(done);
          return finish(cpu.weights, cpu.steps, { interrupted: { steps: cpu.steps, iterations: cpu.iteration } });
        }
      }
      record(done);
      if (dataset.labels) for (const entry of done) await report(entry, async (data) => cpu.evaluate(data));
      if (isLogged(i, config)) checkpoint = { iteration: i + 1, weights: cpu.weights.map((w) => Float64Array.from(w)) };
    }
    return finish(cpu.weights, cpu.steps);
  }

  // A run that can be stopped submits pieces of 100 to 400 ms (fewer steps per submit would slow
  // the resident plan down); one that cannot, everything up to the next readback at once.
  const stoppable = {
    steps: run.shouldStop ? 16 : Infinity,
    measured(steps: number, ms: number): void {
      if (!run.shouldStop || steps < this.steps) return;
      if (ms < 100) this.steps *= 2;
      else if (ms > 400 && this.steps > 1) this.steps = Math.ceil(this.steps / 2);
    },
  };
  let ctx = run.ctx;
  for (;;) {
    try {
      if (run.check) return await checkedRun(run, ctx, record, finish);
      const offset = checkpoint.iteration;
      const gpu = await createTrainer(ctx, config, dataset, checkpoint.weights, run.plan, offset);
      try {
        let interrupted = false;
        while (offset + gpu.where.iteration < config.iterations && !interrupted) {
          const done = offset + gpu.where.iteration;
          let next = done;
          // The next log point, or at most MAX_UNREAD iterations on: what is held before a
          // readback (the errors, then a checkpoint) stays bounded however long the run.
          while (next < config.iterations - 1 && !isLogged(next, config) && next - done < MAX_UNREAD - 1) next++;
          // Iterations to reach, counted by the trainer (it starts from the checkpoint).
          const target = next + 1 - offset;
          const chunk: IterationError[] = [];
          while (gpu.where.iteration < target) {
            const steps = Math.min(run.onProgress ? piece : stoppable.steps, (target - gpu.where.iteration) * gpu.batchesPerIteration - gpu.where.batch);
            const began = performance.now();
            appendAll(chunk, await gpu.run(steps));
            stoppable.measured(steps, performance.now() - began);
            if (run.onProgress) {
              await gpu.idle();
              run.onProgress(offset * gpu.batchesPerIteration + gpu.where.steps, totalSteps);
            }
            if (stop()) {
              interrupted = true;
              break;
            }
          }
          const weights = await gpu.readWeights();
          const shifted = chunk.map((e) => ({ ...e, iteration: e.iteration + offset }));
          record(shifted);
          if (dataset.labels) for (const entry of shifted) await report(entry, gpu.evaluate && ((data) => gpu.evaluate!(data)));
          checkpoint = { iteration: offset + gpu.where.iteration, weights };
          run.onCheckpoint?.(checkpoint, ctx);
        }
        const steps = offset * gpu.batchesPerIteration + gpu.where.steps;
        return finish(checkpoint.weights, steps, { ctx, ...(interrupted ? { interrupted: { steps, iterations: offset + gpu.where.iteration } } : {}) });
      } finally {
        gpu.destroy();
      }
    } catch (error) {
      if (!(error instanceof DeviceLostError)) throw error;
      Object.assign(error, { checkpoint });
      if (!run.recover || recoveries >= MAX_RECOVERIES) throw error;
      recoveries++;
      // Errors past the checkpoint were never confirmed by a readback; they are trained again.
      errors.length = Math.min(errors.length, checkpoint.iteration);
      while (tail.length && tail.at(-1)!.iteration >= checkpoint.iteration) tail.pop();
      if (first && first.iteration >= checkpoint.iteration) first = undefined;
      while (epochs.length && epochs.at(-1)!.epoch >= checkpoint.iteration) epochs.pop();
      ctx = await run.recover();
      run.onRecover?.(error, checkpoint);
    }
  }
}

/** The GPU one step at a time, the CPU reference beside it, weights compared after every step. */
async function checkedRun(
  run: TrainRun,
  ctx: GpuContext,
  record: (entries: IterationError[]) => void,
  finish: (weights: Float32Array[], steps: number, extra?: Partial<TrainResult>) => TrainResult,
): Promise<TrainResult> {
  const { config, dataset, weights } = run;
  const gpu = await createTrainer(ctx, config, dataset, weights, run.plan);
  try {
    const shadow = new ShadowCheck(config, dataset, weights);
    let lastBound = 0;
    const total = config.iterations * gpu.batchesPerIteration;
    for (let s = 0; s < total; s++) {
      const gpuDone = await gpu.run(1);
      const cpuDone = shadow.step();
      const step = shadow.compareWeights(await gpu.readWeights());
      lastBound = step.bound;
      if (gpuDone.length) {
        shadow.compareErrors(gpuDone, cpuDone ? [cpuDone] : []);
        record(gpuDone);
      }
      if (run.shouldStop?.()) {
        const steps = gpu.where.steps;
        return finish(await gpu.readWeights(), steps, { ctx, interrupted: { steps, iterations: gpu.where.iteration } });
      }
    }
    return finish(await gpu.readWeights(), gpu.where.steps, {
      ctx,
      check: {
        maxDiff: shadow.maxDiff,
        bound: lastBound,
        maxErrorDiff: shadow.maxErrorDiff,
        ok: !shadow.firstFailure,
        firstFailure: shadow.firstFailure?.detail,
      },
    });
  } finally {
    gpu.destroy();
  }
}
