// A whole training run, on the GPU or on the CPU reference, optionally shadowed step by step by
// the CPU (check). The GPU runs from one log point to the next in one go and reads back only the
// errors; the weights are read at the end. Used by the CLI; the page drives the trainers itself.

import type { Dataset } from '../data/dataset.js';
import { DivergenceError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { TrainConfig } from './config.js';
import { CpuTrainer } from './cpuTrainer.js';
import { ShadowCheck } from './check.js';
import { GpuTrainer, type IterationError } from './gpuTrainer.js';

export interface TrainRun {
  config: TrainConfig;
  dataset: Dataset;
  weights: readonly ArrayLike<number>[];
  /** The GPU to train on; without it the CPU reference trains alone. */
  ctx?: GpuContext | undefined;
  /** Shadow every GPU step with the CPU reference and compare. */
  check?: boolean;
  /** Called for every logged iteration, in order. */
  onLog?: (entry: IterationError) => void;
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
  check?: CheckSummary;
}

/** True for the iterations the seed prints: iteration % logEvery == logEvery - 1, and the last one. */
export function isLogged(iteration: number, config: TrainConfig): boolean {
  return iteration % config.logEvery === config.logEvery - 1 || iteration === config.iterations - 1;
}

/** Stops a run whose error is no longer finite, suggesting a smaller alpha. */
export function assertFinite(entry: IterationError, config: TrainConfig): void {
  if (!Number.isFinite(entry.error)) {
    throw new DivergenceError(
      `training diverged: the error of iteration ${entry.iteration} is ${entry.error} (alpha ${config.alpha} is too large for this network and data)`,
      `try --alpha ${config.alpha / 10}`,
    );
  }
}

export async function train(run: TrainRun): Promise<TrainResult> {
  const { config, dataset, weights, ctx, onLog } = run;
  const started = performance.now();
  const errors: IterationError[] = [];
  const record = (entries: IterationError[]): void => {
    for (const entry of entries) {
      assertFinite(entry, config);
      errors.push(entry);
      if (onLog && isLogged(entry.iteration, config)) onLog(entry);
    }
  };

  if (!ctx) {
    const cpu = new CpuTrainer(config, dataset, weights);
    for (let i = 0; i < config.iterations; i++) record(cpu.runIterations(1));
    return { errors, weights: cpu.weights, steps: cpu.where.steps, timeMs: performance.now() - started };
  }

  const gpu = await GpuTrainer.create(ctx, config, dataset, weights);
  try {
    if (!run.check) {
      while (gpu.where.iteration < config.iterations) {
        const done = gpu.where.iteration;
        let next = done;
        while (next < config.iterations - 1 && !isLogged(next, config)) next++;
        record(await gpu.runIterations(next + 1 - done));
      }
      const final = await gpu.readWeights();
      return { errors, weights: final, steps: gpu.where.steps, timeMs: performance.now() - started };
    }

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
    const final = await gpu.readWeights();
    return {
      errors,
      weights: final,
      steps: gpu.where.steps,
      timeMs: performance.now() - started,
      check: {
        maxDiff: shadow.maxDiff,
        bound: lastBound,
        maxErrorDiff: shadow.maxErrorDiff,
        ok: !shadow.firstFailure,
        firstFailure: shadow.firstFailure?.detail,
      },
    };
  } finally {
    gpu.destroy();
  }
}
