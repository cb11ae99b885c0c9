// The same run as GpuTrainer, on the float64 CPU reference: same batches in the same order, same
// error per iteration. Used by --cpu (no GPU needed), by --check and the page as the GPU's shadow,
// and by the tests.

import { CpuNetwork } from '../cpu/network.js';
import type { Dataset } from '../data/dataset.js';
import { batches as makeBatches, checkWeights, type Batch, type TrainConfig } from './config.js';
import { Cursor, type Position } from './cursor.js';
import type { IterationError } from './gpuTrainer.js';

export class CpuTrainer {
  readonly batches: readonly Batch[];
  readonly network: CpuNetwork;
  private readonly cursor: Cursor;
  private iterationError = 0;

  constructor(
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    weights: readonly ArrayLike<number>[],
  ) {
    checkWeights(config.layers, weights);
    this.batches = makeBatches(dataset.rows, config.batchSize);
    this.network = new CpuNetwork(config.layers, weights, config.batchSize);
    this.cursor = new Cursor(this.batches.length);
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
    const layer0 = dataset.inputs.subarray(start * dataset.inputSize, (start + rows) * dataset.inputSize);
    const goal = dataset.targets.subarray(start * dataset.outputSize, (start + rows) * dataset.outputSize);
    this.iterationError += this.network.trainBatch(layer0, goal, rows, config.alpha);
    const iteration = this.cursor.iteration;
    if (!this.cursor.finishBatch()) return undefined;
    const done = { iteration, error: this.iterationError };
    this.iterationError = 0;
    return done;
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

  /** The error accumulated so far in the current, unfinished iteration. */
  get partialError(): number {
    return this.iterationError;
  }

  get weights(): Float64Array[] {
    return this.network.weights;
  }
}
