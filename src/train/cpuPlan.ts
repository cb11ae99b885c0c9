// The plan of dispatches run on the float64 CPU reference, one step at a time, with the same named
// buffers the GPU has. It is the GPU's shadow: after any dispatch the page can put the CPU's
// layer_1 beside the GPU's. (Tests check it gives the same bits as the plain CpuNetwork.)

import * as ops from '../cpu/ops.js';
import type { Dataset } from '../data/dataset.js';
import { deltaName, layerName, weightDeltaName, weightsName } from '../net/spec.js';
import { batches as makeBatches, checkWeights, type Batch, type TrainConfig } from './config.js';
import { Cursor, type Position } from './cursor.js';
import type { IterationError } from './gpuTrainer.js';
import { planOf, type PlanKind, type PlanStep } from './plan.js';

export interface DispatchResult {
  /** The step that ran. */
  step: PlanStep;
  /** Its index in the batch's plan. */
  index: number;
  /** The batch it belongs to, in the iteration. */
  batch: number;
  /** True when this dispatch finished its batch (the weights were updated). */
  batchDone: boolean;
  /** The iteration's error, when this dispatch finished the iteration. */
  completed?: IterationError;
}

export class CpuPlan {
  readonly batches: readonly Batch[];
  readonly buffers = new Map<string, Float64Array>();
  private readonly plan: PlanStep[];
  private readonly tailPlan: PlanStep[] | undefined;
  private readonly cursor: Cursor;

  constructor(
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    weights: readonly ArrayLike<number>[],
    kind: PlanKind = 'teaching',
  ) {
    const { layers, batchSize, alpha } = config;
    checkWeights(layers, weights);
    this.batches = makeBatches(dataset.rows, batchSize);
    this.cursor = new Cursor(this.batches.length);
    this.plan = planOf(kind, layers, batchSize, alpha);
    const tail = dataset.rows % batchSize;
    this.tailPlan = tail ? planOf(kind, layers, tail, alpha) : undefined;
    const set = (name: string, length: number): void => void this.buffers.set(name, new Float64Array(length));
    set('goal', batchSize * dataset.outputSize);
    set('error', 1);
    layers.forEach((size, l) => {
      set(layerName(l), batchSize * size);
      if (l > 0) set(deltaName(l), batchSize * size);
    });
    weights.forEach((w, l) => {
      this.buffers.set(weightsName(l), Float64Array.from(w));
      set(weightDeltaName(l), w.length);
    });
  }

  get where(): Position {
    return this.cursor.position;
  }

  /** The plan of the current batch (a smaller last batch has its own). */
  planFor(batch = this.cursor.batch): readonly PlanStep[] {
    return this.batches[batch]!.rows === this.config.batchSize ? this.plan : this.tailPlan!;
  }

  get weights(): Float64Array[] {
    return this.config.layers.slice(1).map((_, l) => this.buffers.get(weightsName(l))!);
  }

  /** Runs the next dispatch of the plan. */
  runDispatch(): DispatchResult {
    const plan = this.planFor();
    const index = this.cursor.dispatch;
    const batch = this.cursor.batch;
    const step = plan[index]!;
    this.execute(step, this.batches[batch]!);
    this.cursor.dispatch++;
    if (this.cursor.dispatch < plan.length) return { step, index, batch, batchDone: false };
    const iteration = this.cursor.iteration;
    if (!this.cursor.finishBatch()) return { step, index, batch, batchDone: true };
    const error = this.buffers.get('error')!;
    const completed = { iteration, error: error[0]! };
    error[0] = 0;
    return { step, index, batch, batchDone: true, completed };
  }

  /** Finishes the current batch; returns the iteration's error if that completed one. */
  step(): IterationError | undefined {
    for (;;) {
      const r = this.runDispatch();
      if (r.batchDone) return r.completed;
    }
  }

  run(steps: number): IterationError[] {
    const out: IterationError[] = [];
    for (let s = 0; s < steps; s++) {
      const done = this.step();
      if (done) out.push(done);
    }
    return out;
  }

  runIterations(count: number): IterationError[] {
    return this.run(this.cursor.stepsForIterations(count));
  }

  private execute(step: PlanStep, batch: Batch): void {
    const get = (name: string): Float64Array => this.buffers.get(name)!;
    const { op } = step;
    const { dataset } = this;
    switch (op.kind) {
      case 'gather': {
        const { inputSize, outputSize } = dataset;
        get(op.layer).set(dataset.inputs.subarray(batch.start * inputSize, (batch.start + batch.rows) * inputSize));
        get(op.goal).set(dataset.targets.subarray(batch.start * outputSize, (batch.start + batch.rows) * outputSize));
        break;
      }
      case 'matmul':
        ops.matmul(get(op.a), get(op.b), get(op.c), op.M, op.K, op.N, op.transposeA, op.transposeB);
        break;
      case 'relu':
        ops.relu(get(op.layer), op.count);
        break;
      case 'outputDelta': {
        const error = get(op.error);
        error[0] = error[0]! + ops.outputDelta(get(op.prediction), get(op.goal), get(op.delta), op.count);
        break;
      }
      case 'relu2deriv':
        ops.relu2deriv(get(op.layer), get(op.delta), op.count);
        break;
      case 'update':
        ops.update(get(op.weightDelta), get(op.weights), op.scale, op.count);
        break;
      case 'matmulFast': {
        // The fused kernel's arithmetic on the logical (unpadded) buffers.
        const product = new Float64Array(op.M * op.N);
        ops.matmul(get(op.a), get(op.b), product, op.M, op.K, op.N, op.form === 'gradient', op.form === 'backward');
        const c = get(op.c);
        if (op.epilogue === 'update') ops.update(product, c, op.scale ?? 0, op.M * op.N);
        else {
          if (op.epilogue === 'relu') ops.relu(product);
          if (op.epilogue === 'relu2deriv') ops.relu2deriv(get(op.mask!), product);
          c.set(product);
        }
        break;
      }
    }
  }
}
