// A whole training run, on the GPU or on the CPU reference, optionally shadowed step by step by
// the CPU (check). The GPU runs from one log point to the next in one go and reads back the errors
// and the weights there: those weights are the checkpoint. If the device is lost the run goes on
// from the checkpoint on a new device; if the error stops being finite or explodes it stops, and
// the checkpoint holds the last finite weights. Nothing trained is lost either way.

import type { Dataset } from '../data/dataset.js';
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
}

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
  /** Every iteration's error (all of them, logged or not). */
  errors: IterationError[];
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

/**
 * Stops a run whose error is no longer finite or has exploded, suggesting a smaller alpha.
 * `first` is the first iteration's error, the scale an explosion is measured against.
 */
export function assertFinite(entry: IterationError, config: TrainConfig, first?: number, lastFinite?: Checkpoint): void {
  const exploded = first !== undefined && entry.error > EXPLODED_FLOOR && entry.error > EXPLOSION * first;
  if (Number.isFinite(entry.error) && !exploded) return;
  const what = Number.isFinite(entry.error) ? `exploded to ${entry.error.toExponential(3)}` : `is ${entry.error}`;
  const error = new DivergenceError(
    `training diverged: the error of iteration ${entry.iteration} ${what} (alpha ${config.alpha} is too large for this network and data)` +
      (lastFinite ? `; the last finite weights are ${describeCheckpoint(lastFinite)}` : ''),
    `try --alpha ${config.alpha / 10}`,
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

/** The error the same for the last 10 iterations, bit for bit, and not ~0: stuck (dead ReLUs, or no correlation). */
function stuckWarning(errors: IterationError[], config: TrainConfig): string[] {
  if (errors.length < 11) return [];
  const last = errors.at(-1)!.error;
  if (last < 1e-6 || !errors.slice(-11).every((e) => e.error === last)) return [];
  const hidden = config.layers.length > 2;
  return [
    `the error has not changed for 10 iterations (it stays at ${pyFloat(last)})` +
      (hidden ? `: every hidden ReLU unit may have died; try a smaller alpha than ${config.alpha} or another seed` : ''),
  ];
}

export async function train(run: TrainRun): Promise<TrainResult> {
  const { config, dataset, onLog } = run;
  const started = performance.now();
  const errors: IterationError[] = [];
  const epochs: EpochReport[] = [];
  let checkpoint: Checkpoint = { iteration: 0, weights: run.weights.map((w) => Float64Array.from(w)) };
  const record = (entries: IterationError[]): void => {
    for (const entry of entries) {
      assertFinite(entry, config, errors[0]?.error ?? entry.error, checkpoint);
      errors.push(entry);
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
    }
    epochs.push(epoch);
    run.onEpoch?.(epoch);
  };
  const finish = (weights: Float32Array[] | Float64Array[], steps: number, extra: Partial<TrainResult> = {}): TrainResult => ({
    errors,
    weights,
    steps,
    timeMs: performance.now() - started,
    recoveries,
    warnings: stuckWarning(errors, config),
    epochs,
    ...extra,
  });
  let recoveries = 0;
  const batchesPerIteration = Math.ceil(dataset.rows / config.batchSize);
  const totalSteps = config.iterations * batchesPerIteration;
  // With a progress bar, an epoch runs in about 50 pieces, each waited for; without, in one go.
  const piece = run.onProgress ? Math.max(1, Math.ceil(batchesPerIteration / 50)) : Infinity;

  if (!run.ctx) {
    const cpu = new CpuExecutor(config, dataset, run.weights);
    for (let i = 0; i < config.iterations; i++) {
      const done: IterationError[] = [];
      while (cpu.where.iteration === i) {
        appendAll(done, cpu.run(Math.min(piece, batchesPerIteration - cpu.where.batch)));
        run.onProgress?.(cpu.where.steps, totalSteps);
      }
      record(done);
      for (const entry of done) await report(entry, async (data) => cpu.evaluate(data));
      if (isLogged(i, config)) checkpoint = { iteration: i + 1, weights: cpu.weights.map((w) => Float64Array.from(w)) };
    }
    return finish(cpu.weights, cpu.where.steps);
  }

  let ctx = run.ctx;
  for (;;) {
    try {
      if (run.check) return await checkedRun(run, ctx, record, finish);
      const offset = checkpoint.iteration;
      const gpu = await createTrainer(ctx, config, dataset, checkpoint.weights, run.plan, offset);
      try {
        while (offset + gpu.where.iteration < config.iterations) {
          const done = offset + gpu.where.iteration;
          let next = done;
          while (next < config.iterations - 1 && !isLogged(next, config)) next++;
          // Iterations to reach, counted by the trainer (it starts from the checkpoint).
          const target = next + 1 - offset;
          const chunk: IterationError[] = [];
          while (gpu.where.iteration < target) {
            const steps = Math.min(piece, (target - gpu.where.iteration) * gpu.batchesPerIteration - gpu.where.batch);
            appendAll(chunk, await gpu.run(steps));
            if (run.onProgress) {
              await gpu.idle();
              run.onProgress(offset * gpu.batchesPerIteration + gpu.where.steps, totalSteps);
            }
          }
          const weights = await gpu.readWeights();
          const shifted = chunk.map((e) => ({ ...e, iteration: e.iteration + offset }));
          record(shifted);
          for (const entry of shifted) await report(entry, gpu.evaluate && ((data) => gpu.evaluate!(data)));
          checkpoint = { iteration: next + 1, weights };
          run.onCheckpoint?.(checkpoint, ctx);
        }
        return finish(checkpoint.weights, offset * gpu.batchesPerIteration + gpu.where.steps, { ctx });
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
