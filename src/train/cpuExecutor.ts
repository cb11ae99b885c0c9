// The CPU executor: any plan run in float64, step by step, on the same named buffers the GPU has
// (unpadded). It is the GPU's shadow (after any dispatch the page puts the CPU's layer_1 beside
// the GPU's), the page's trainer without WebGPU, and --cpu. Tests check that it gives the same
// bits as CpuNetwork, the plain-loop reference written to be read.

import type { Dataset } from '../data/dataset.js';
import { FORWARD_ROLES, type CpuEnv, type Step } from '../ops/op.js';
import { checkWeights, parameterNames, type TrainConfig } from './config.js';
import { Cursor, runSteps } from './cursor.js';
import type { IterationError, Position } from './types.js';
import { cpuPlanKind, planOf, planOptions, type Plan } from './plan.js';
import { Schedule, type Batch } from './schedule.js';

export interface DispatchResult {
  /** The step that ran. */
  step: Step;
  /** Its index in the batch's plan. */
  index: number;
  /** The batch it belongs to, in the iteration. */
  batch: number;
  /** True when this dispatch finished its batch (the weights were updated). */
  batchDone: boolean;
  /** The iteration's error, when this dispatch finished the iteration. */
  completed?: IterationError;
}

/** Float64 buffers for a plan's specs, each (rows, cols) unpadded; `shared` ones are used as they are. */
function cpuBuffers(plan: Plan, shared: ReadonlyMap<string, Float64Array> = new Map()): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const spec of plan.buffers) out.set(spec.name, shared.get(spec.name) ?? new Float64Array(spec.rows * spec.cols));
  return out;
}

/** What a step's cpu() is given: one object per executor, its epoch and batch moved as the run goes. */
type MutableEnv = { -readonly [K in keyof CpuEnv]: CpuEnv[K] };

function env(buffers: ReadonlyMap<string, Float64Array>, schedule: Schedule): MutableEnv {
  return {
    buffer: (name) => {
      const found = buffers.get(name);
      if (!found) throw new Error(`the plan names a buffer that was not made: ${name}`);
      return found;
    },
    schedule,
    epoch: 0,
    batch: 0,
  };
}

export class CpuExecutor {
  readonly schedule: Schedule;
  readonly buffers: Map<string, Float64Array>;
  private readonly plan: Plan;
  private readonly tailPlan: Plan | undefined;
  private readonly cursor: Cursor;
  /** Reused for every dispatch: a run of ten million iterations allocates nothing per step but its errors. */
  private readonly env: MutableEnv;

  constructor(
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    weights: readonly ArrayLike<number>[],
    /** Iterations done before these weights (a resumed run): the schedule goes on from that epoch. */
    private readonly epochOffset = 0,
  ) {
    const { layers, batchSize, alpha, bias } = config;
    checkWeights(layers, weights, bias);
    this.schedule = new Schedule(config, dataset);
    this.cursor = new Cursor(this.schedule.batches.length);
    const options = planOptions(config, dataset);
    const kind = cpuPlanKind(options);
    this.plan = planOf(kind, layers, batchSize, alpha, options);
    const tail = dataset.rows % batchSize;
    this.tailPlan = tail ? planOf(kind, layers, tail, alpha, options) : undefined;
    this.buffers = cpuBuffers(this.plan);
    parameterNames(layers, bias).forEach((name, i) => this.buffers.set(name, Float64Array.from(weights[i]!)));
    this.env = env(this.buffers, this.schedule);
  }

  get batches(): readonly Batch[] {
    return this.schedule.batches;
  }

  get batchesPerIteration(): number {
    return this.schedule.batches.length;
  }

  get where(): Position {
    return this.cursor.position;
  }

  /** Iterations completed, and the next batch of the current one (without making a Position). */
  get iteration(): number {
    return this.cursor.iteration;
  }

  get batch(): number {
    return this.cursor.batch;
  }

  get steps(): number {
    return this.cursor.steps;
  }

  /** The plan of a batch (a smaller last batch has its own). */
  planFor(batch = this.cursor.batch): Plan {
    return this.schedule.batches[batch]!.rows === this.config.batchSize ? this.plan : this.tailPlan!;
  }

  /** The weights, then (with biases) the biases: the parameters as the trainers hand them around. */
  get weights(): Float64Array[] {
    return parameterNames(this.config.layers, this.config.bias).map((name) => this.buffers.get(name)!);
  }

  /** Runs the next dispatch of the plan. */
  runDispatch(): DispatchResult {
    const index = this.cursor.dispatch;
    const batch = this.cursor.batch;
    const step = this.dispatchNext();
    if (this.cursor.dispatch !== 0) return { step, index, batch, batchDone: false };
    const completed = this.cursor.batch === 0 ? this.takeError(this.cursor.iteration - 1) : undefined;
    return { step, index, batch, batchDone: true, ...(completed ? { completed } : {}) };
  }

  /** Runs the next dispatch of the plan and moves the cursor past it (to the next batch after the last). */
  private dispatchNext(): Step {
    const { steps } = this.planFor();
    const epoch = this.epochOffset + this.cursor.iteration;
    const step = steps[this.cursor.dispatch]!;
    this.env.epoch = epoch;
    this.env.batch = this.cursor.batch;
    step.cpu(this.env, this.schedule.alpha(epoch));
    if (++this.cursor.dispatch === steps.length) this.cursor.finishBatch();
    return step;
  }

  /** The error (and correct count) summed over the iteration just completed; the sums start again. */
  private takeError(iteration: number): IterationError {
    const error = this.buffers.get('error')!;
    const correct = this.buffers.get('correct')!;
    const completed: IterationError = { iteration, error: error[0]! };
    if (this.dataset.labels) completed.correct = correct[0]!;
    error[0] = 0;
    correct[0] = 0;
    return completed;
  }

  /** Copies of buffers, to put back with restore(). */
  snapshot(names: readonly string[]): Map<string, Float64Array> {
    return new Map(names.map((name) => [name, Float64Array.from(this.buffers.get(name)!)]));
  }

  /** Puts back buffers saved by snapshot() and moves back to `position` (saved before the dispatch). */
  restore(saved: ReadonlyMap<string, Float64Array>, position: Position): void {
    for (const [name, values] of saved) this.buffers.get(name)!.set(values);
    this.cursor.set(position);
  }

  /** Finishes the current batch; returns the iteration's error if that completed one. */
  step(): IterationError | undefined {
    do this.dispatchNext();
    while (this.cursor.dispatch !== 0);
    return this.cursor.batch === 0 ? this.takeError(this.cursor.iteration - 1) : undefined;
  }

  run(steps: number): IterationError[] {
    return runSteps(steps, () => this.step());
  }

  runIterations(count: number): IterationError[] {
    return this.run(this.cursor.stepsForIterations(count));
  }

  /**
   * The error and correct count of a forward pass over `data` (a test set) with the current
   * weights, without training: the plan's forward steps, in batches of up to 1,000 rows.
   */
  evaluate(data: Dataset): { error: number; correct: number; rows: number } {
    const { config } = this;
    const rows = Math.min(1000, data.rows);
    // In order and unshifted: the schedule and the plan both read it from this one config.
    const evaluation = { ...config, batchSize: rows, shuffle: false, shift: 0 };
    const schedule = new Schedule(evaluation, data);
    const options = { ...planOptions(evaluation, data), accuracy: true };
    const kind = cpuPlanKind(options);
    const parameters = new Map(parameterNames(config.layers, config.bias).map((name) => [name, this.buffers.get(name)!]));
    let buffers: Map<string, Float64Array> | undefined;
    schedule.batches.forEach((batch, b) => {
      const plan = planOf(kind, config.layers, batch.rows, config.alpha, options);
      buffers ??= cpuBuffers(plan, parameters);
      const at = { ...env(buffers, schedule), batch: b };
      for (const step of plan.steps) if (FORWARD_ROLES.includes(step.role)) step.cpu(at, config.alpha);
    });
    return { error: buffers!.get('error')![0]!, correct: buffers!.get('correct')![0]!, rows: data.rows };
  }
}
