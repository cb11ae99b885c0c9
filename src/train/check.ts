// The CPU reference as the GPU's shadow: it trains from the same float32 weights on the same
// batches, and the GPU's weights are compared with its float64 ones (after every chunk of a run,
// or every step with --check) under a bound that grows with the step count (the tolerance
// policy's rule for whole runs).

import type { Dataset } from '../data/dataset.js';
import { MismatchError } from '../errors.js';
import { FLOAT32_EPSILON, compareAbsolute, compareRelative, describeComparison, type Comparison } from '../verify/tolerance.js';
import { parameterNames, type TrainConfig } from './config.js';
import { CpuExecutor, type DispatchResult } from './cpuExecutor.js';
import { runSteps } from './cursor.js';
import type { CheckSummary, IterationError } from './types.js';

export interface StepCheck {
  steps: number;
  /** Largest |gpu − cpu| over every weight after this step. */
  maxDiff: number;
  /** The bound this step was held to. */
  bound: number;
  ok: boolean;
  /** Set when a weight is beyond the bound: which, where, both values. */
  detail?: string;
}

/**
 * Every float32 operation of a step rounds once: a weight moves by an error of about
 * 2·ε·(Σ layer sizes + rows) relative to its scale (the forward sums, the backprop sums, the
 * gradient sum over the batch, the update), and errors of earlier steps carry forward. So the
 * bound after t steps is t times that, relative to max(1, |weights|).
 */
export function stepBound(config: TrainConfig): number {
  const width = config.layers.reduce((a, b) => a + b, 0) + config.batchSize;
  return 2 * FLOAT32_EPSILON * width;
}

export interface ShadowState {
  bound: number;
  maxDiff: number;
  maxErrorDiff: number;
  firstFailure: StepCheck | undefined;
}

export class ShadowCheck {
  /** The reference, running the same plan of dispatches as the GPU. */
  readonly cpu: CpuExecutor;
  private readonly perStep: number;
  private bound = 0;
  /** Largest difference seen over the run. */
  maxDiff = 0;
  /** Largest relative difference between the GPU's and the CPU's error per iteration. */
  maxErrorDiff = 0;
  /** The first step beyond the bound, if any. */
  firstFailure: StepCheck | undefined;

  /**
   * The reference starts from the exact float32 values the GPU got (the tolerance policy: the
   * reference gets the values that were uploaded); with `float32Start` false it starts from the
   * float64 weights themselves, as numpy does. `epochOffset`: iterations done before these weights.
   * A shadow made after a lost device carries on what the one before it found (`before`).
   */
  constructor(config: TrainConfig, dataset: Dataset, weights: readonly ArrayLike<number>[], float32Start = true, epochOffset = 0, before?: ShadowCheck) {
    this.cpu = new CpuExecutor(
      config,
      dataset,
      weights.map((w) => Float64Array.from(w as ArrayLike<number>, float32Start ? Math.fround : (x) => x)),
      epochOffset,
    );
    this.perStep = stepBound(config);
    if (before) {
      this.maxDiff = before.maxDiff;
      this.maxErrorDiff = before.maxErrorDiff;
      this.firstFailure = before.firstFailure;
    }
  }

  /** What the comparisons found so far. */
  get summary(): CheckSummary {
    return { maxDiff: this.maxDiff, bound: this.bound, maxErrorDiff: this.maxErrorDiff, ok: !this.firstFailure, firstFailure: this.firstFailure?.detail };
  }

  /** Runs the reference one step (the rest of the current batch); returns the iteration's error if that completed one. */
  step(): IterationError | undefined {
    const done = this.cpu.step();
    this.grow();
    return done;
  }

  /** Runs the reference `steps` steps; returns the errors of the iterations completed. */
  run(steps: number): IterationError[] {
    return runSteps(steps, () => this.step());
  }

  /** Runs the reference's next dispatch, as the GPU just ran its own. */
  runDispatch(): DispatchResult {
    const r = this.cpu.runDispatch();
    if (r.batchDone) this.grow();
    return r;
  }

  /** The bound grows by one step's worth, at the scale of the weights after that step. */
  private grow(): void {
    let scale = 1;
    for (const w of this.cpu.weights) for (let i = 0; i < w.length; i++) scale = Math.max(scale, Math.abs(w[i]!));
    this.bound += this.perStep * scale;
  }

  /** The bound after the steps run so far. */
  get currentBound(): number {
    return this.bound;
  }

  /** Compares the GPU's weights after the same number of steps. */
  compareWeights(gpuWeights: readonly Float32Array[]): StepCheck {
    const steps = this.cpu.where.steps;
    let maxDiff = 0;
    let detail: string | undefined;
    const names = parameterNames(this.cpu.config.layers, this.cpu.config.bias);
    this.cpu.weights.forEach((ref, l) => {
      const c: Comparison = compareAbsolute(gpuWeights[l]!, ref, this.bound);
      maxDiff = Math.max(maxDiff, c.maxDiff);
      if (!c.ok && !detail) detail = describeComparison(`${names[l]} after step ${steps}`, c, ref.length);
    });
    this.maxDiff = Math.max(this.maxDiff, maxDiff);
    const result: StepCheck = { steps, maxDiff, bound: this.bound, ok: !detail };
    if (detail) result.detail = detail;
    if (!result.ok && !this.firstFailure) this.firstFailure = result;
    return result;
  }

  /** Compares the error of completed iterations: within 1e-4 relative, widened as the weights' bound grows. */
  compareErrors(gpu: readonly IterationError[], cpu: readonly IterationError[]): Comparison {
    const relative = Math.max(1e-4, this.bound);
    const c = compareRelative(
      gpu.map((e) => e.error),
      cpu.map((e) => e.error),
      relative,
    );
    gpu.forEach((e, i) => {
      const ref = cpu[i]!.error;
      const rel = Math.abs(e.error - ref) / Math.max(Math.abs(ref), 2 ** -126);
      this.maxErrorDiff = Math.max(this.maxErrorDiff, rel);
    });
    return c;
  }

  /** What a step back puts back: the bound and what the comparisons found. */
  get state(): ShadowState {
    return { bound: this.bound, maxDiff: this.maxDiff, maxErrorDiff: this.maxErrorDiff, firstFailure: this.firstFailure };
  }

  set state(state: ShadowState) {
    ({ bound: this.bound, maxDiff: this.maxDiff, maxErrorDiff: this.maxErrorDiff, firstFailure: this.firstFailure } = state);
  }

  /** Throws a MismatchError naming the first step and weights beyond the bound. */
  assertOk(): void {
    if (this.firstFailure) {
      throw new MismatchError(
        `the GPU and the CPU reference disagree: ${this.firstFailure.detail}`,
        'this is a bug in a kernel or the orchestrator; please report it with the command you ran',
      );
    }
  }
}
