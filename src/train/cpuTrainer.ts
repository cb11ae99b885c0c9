// The same run as GpuTrainer, on the float64 CPU reference: same batches in the same order, same
// error per iteration. Used by --cpu (no GPU needed), and by the tests against numpy and the plans.

import { CpuNetwork } from '../cpu/network.js';
import type { Dataset } from '../data/dataset.js';
import { alphaAt, batches as makeBatches, checkWeights, epochOrder, epochShifts, shiftedImage, type Batch, type TrainConfig } from './config.js';
import { Cursor, runSteps, type Position } from './cursor.js';
import type { IterationError } from './gpuTrainer.js';

export class CpuTrainer {
  readonly batches: readonly Batch[];
  readonly network: CpuNetwork;
  private readonly cursor: Cursor;
  private iterationError = 0;
  private iterationCorrect = 0;
  private order: Uint32Array | undefined;
  private shifts: Int32Array;
  private readonly layer0: Float64Array;
  private readonly goal: Float64Array;

  constructor(
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    weights: readonly ArrayLike<number>[],
  ) {
    checkWeights(config.layers, weights, config.bias);
    this.batches = makeBatches(dataset.rows, config.batchSize);
    this.network = new CpuNetwork(config.layers, weights, config.batchSize, { bias: config.bias, loss: config.loss });
    this.cursor = new Cursor(this.batches.length);
    this.order = config.shuffle ? epochOrder(config.seed, 0, dataset.rows) : undefined;
    this.shifts = epochShifts(config.seed, 0, dataset.rows, config.shift);
    this.layer0 = new Float64Array(config.batchSize * dataset.inputSize);
    this.goal = new Float64Array(config.batchSize * dataset.outputSize);
  }

  get where(): Position {
    return this.cursor.position;
  }

  get batchesPerIteration(): number {
    return this.batches.length;
  }

  /** One update on the next batch; returns the iteration's error if this batch completed it. */
  step(): IterationError | undefined {
    const { dataset, config } = this;
    const { start, rows } = this.batches[this.cursor.batch]!;
    const { inputSize, outputSize } = dataset;
    for (let r = 0; r < rows; r++) {
      const row = this.order ? this.order[start + r]! : start + r;
      if (config.shift > 0) {
        shiftedImage(dataset.inputs, row, inputSize, dataset.imageWidth!, this.shifts[2 * row]!, this.shifts[2 * row + 1]!, this.layer0, r * inputSize);
      } else this.layer0.set(dataset.inputs.subarray(row * inputSize, (row + 1) * inputSize), r * inputSize);
      this.goal.set(dataset.targets.subarray(row * outputSize, (row + 1) * outputSize), r * outputSize);
    }
    this.iterationError += this.network.trainBatch(this.layer0, this.goal, rows, alphaAt(config, this.cursor.iteration));
    this.iterationCorrect += this.network.correct;
    const iteration = this.cursor.iteration;
    if (!this.cursor.finishBatch()) return undefined;
    const done: IterationError = { iteration, error: this.iterationError };
    if (dataset.labels) done.correct = this.iterationCorrect;
    this.iterationError = 0;
    this.iterationCorrect = 0;
    if (config.shuffle) this.order = epochOrder(config.seed, this.cursor.iteration, dataset.rows);
    if (config.shift > 0) this.shifts = epochShifts(config.seed, this.cursor.iteration, dataset.rows, config.shift);
    return done;
  }

  run(steps: number): IterationError[] {
    return runSteps(steps, () => this.step());
  }

  runIterations(count: number): IterationError[] {
    return this.run(this.cursor.stepsForIterations(count));
  }

  /** The weights, then (with biases) the biases. */
  get weights(): Float64Array[] {
    return this.network.parameters;
  }

  /** The error and correct count of a forward pass over `data` (a test set), without training. */
  evaluate(data: Dataset): { error: number; correct: number; rows: number } {
    const net = new CpuNetwork(this.config.layers, this.network.parameters, Math.min(1000, data.rows), {
      bias: this.config.bias,
      loss: this.config.loss,
    });
    let error = 0;
    let correct = 0;
    for (let start = 0; start < data.rows; start += 1000) {
      const rows = Math.min(1000, data.rows - start);
      error += net.gradients(
        data.inputs.subarray(start * data.inputSize, (start + rows) * data.inputSize),
        data.targets.subarray(start * data.outputSize, (start + rows) * data.outputSize),
        rows,
      );
      correct += net.correct;
    }
    return { error, correct, rows: data.rows };
  }
}
