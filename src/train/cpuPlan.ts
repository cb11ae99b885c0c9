// The plan of dispatches run on the float64 CPU reference, one step at a time, with the same named
// buffers the GPU has. It is the GPU's shadow: after any dispatch the page can put the CPU's
// layer_1 beside the GPU's. (Tests check it gives the same bits as the plain CpuNetwork.)

import * as ops from '../cpu/ops.js';
import type { Dataset } from '../data/dataset.js';
import { deltaName, layerName, weightDeltaName } from '../net/spec.js';
import { alphaAt, batches as makeBatches, checkWeights, epochOrder, epochShifts, parameterNames, shiftedImage, type Batch, type TrainConfig } from './config.js';
import { Cursor, runSteps, type Position } from './cursor.js';
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

  private order: Uint32Array;
  private shifts: Int32Array;

  /**
   * `kind` defaults to the teaching plan for the seed's networks and to the fast plan (the same
   * arithmetic, fused) where biases or a softmax need it.
   */
  constructor(
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    weights: readonly ArrayLike<number>[],
    kind?: PlanKind,
  ) {
    const { layers, batchSize, alpha, bias, loss } = config;
    checkWeights(layers, weights, bias);
    this.batches = makeBatches(dataset.rows, batchSize);
    this.cursor = new Cursor(this.batches.length);
    const chosen = kind ?? (bias || loss === 'softmax' ? 'fast' : 'teaching');
    const options = { bias, loss, accuracy: dataset.labels !== undefined };
    this.plan = planOf(chosen, layers, batchSize, alpha, options);
    const tail = dataset.rows % batchSize;
    this.tailPlan = tail ? planOf(chosen, layers, tail, alpha, options) : undefined;
    this.order = config.shuffle ? epochOrder(config.seed, 0, dataset.rows) : Uint32Array.from({ length: dataset.rows }, (_, i) => i);
    this.shifts = epochShifts(config.seed, 0, dataset.rows, config.shift);
    const set = (name: string, length: number): void => void this.buffers.set(name, new Float64Array(length));
    set('goal', batchSize * dataset.outputSize);
    set('error', 1);
    set('correct', 1);
    layers.forEach((size, l) => {
      set(layerName(l), batchSize * size);
      if (l > 0) set(deltaName(l), batchSize * size);
    });
    parameterNames(layers, bias).forEach((name, i) => this.buffers.set(name, Float64Array.from(weights[i]!)));
    layers.slice(1).forEach((_, l) => set(weightDeltaName(l), layers[l]! * layers[l + 1]!));
  }

  get where(): Position {
    return this.cursor.position;
  }

  /** The plan of the current batch (a smaller last batch has its own). */
  planFor(batch = this.cursor.batch): readonly PlanStep[] {
    return this.batches[batch]!.rows === this.config.batchSize ? this.plan : this.tailPlan!;
  }

  /** The weights, then (with biases) the biases: the parameters as the trainers hand them around. */
  get weights(): Float64Array[] {
    return parameterNames(this.config.layers, this.config.bias).map((name) => this.buffers.get(name)!);
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
    const correct = this.buffers.get('correct')!;
    const completed: IterationError = { iteration, error: error[0]! };
    if (this.dataset.labels) completed.correct = correct[0]!;
    error[0] = 0;
    correct[0] = 0;
    if (this.config.shuffle) this.order = epochOrder(this.config.seed, this.cursor.iteration, this.dataset.rows);
    if (this.config.shift > 0) this.shifts = epochShifts(this.config.seed, this.cursor.iteration, this.dataset.rows, this.config.shift);
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
    return runSteps(steps, () => this.step());
  }

  runIterations(count: number): IterationError[] {
    return this.run(this.cursor.stepsForIterations(count));
  }

  /** A plan's step size alpha / rows, for this iteration's alpha. */
  private decayed(scale: number): number {
    return this.config.alphaDecay === 1 ? scale : (scale / this.config.alpha) * alphaAt(this.config, this.cursor.iteration);
  }

  private execute(step: PlanStep, batch: Batch): void {
    const get = (name: string): Float64Array => this.buffers.get(name)!;
    const { op } = step;
    const { dataset } = this;
    switch (op.kind) {
      case 'gather': {
        const { inputSize, outputSize } = dataset;
        const layer = get(op.layer);
        const goal = get(op.goal);
        for (let r = 0; r < batch.rows; r++) {
          const row = this.order[batch.start + r]!;
          if (this.config.shift > 0) {
            shiftedImage(dataset.inputs, row, inputSize, dataset.imageWidth!, this.shifts[2 * row]!, this.shifts[2 * row + 1]!, layer, r * inputSize);
          } else layer.set(dataset.inputs.subarray(row * inputSize, (row + 1) * inputSize), r * inputSize);
          goal.set(dataset.targets.subarray(row * outputSize, (row + 1) * outputSize), r * outputSize);
        }
        break;
      }
      case 'softmaxDelta': {
        const error = get(op.error);
        error[0] = error[0]! + ops.softmaxDelta(get(op.prediction), get(op.goal), get(op.delta), op.rows, op.n);
        break;
      }
      case 'accuracy': {
        const correct = get(op.correct);
        correct[0] = correct[0]! + ops.accuracy(get(op.prediction), get(op.goal), op.rows, op.n);
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
        ops.update(get(op.weightDelta), get(op.weights), this.decayed(op.scale), op.count);
        break;
      case 'matmulFast': {
        // The fused kernel's arithmetic on the logical (unpadded) buffers.
        const product = new Float64Array(op.M * op.N);
        ops.matmul(get(op.a), get(op.b), product, op.M, op.K, op.N, op.form === 'gradient', op.form === 'backward');
        const c = get(op.c);
        if (op.epilogue === 'update') {
          const scale = this.decayed(op.scale ?? 0);
          ops.update(product, c, scale, op.M * op.N);
          if (op.bias) {
            const biasDelta = new Float64Array(op.N);
            ops.biasGradient(get(op.b), op.K, op.N, biasDelta);
            ops.update(biasDelta, get(op.bias), scale, op.N);
          }
        } else {
          if (op.bias) ops.addBias(product, get(op.bias), op.M, op.N);
          if (op.epilogue === 'relu') ops.relu(product);
          if (op.epilogue === 'relu2deriv') ops.relu2deriv(get(op.mask!), product);
          c.set(product);
        }
        break;
      }
    }
  }
}
