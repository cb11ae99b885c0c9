// The float64 CPU reference as a trainer: what a run uses without a GPU (--cpu, or a page without
// WebGPU), behind the same interface as the GPU's trainers, so one run engine drives either.

import type { Dataset } from '../data/dataset.js';
import type { TrainConfig } from './config.js';
import { CpuExecutor } from './cpuExecutor.js';
import type { Trainer } from './trainer.js';
import type { Evaluation, IterationError, Position } from './types.js';

export class CpuTrainer implements Trainer {
  readonly executor: CpuExecutor;

  constructor(config: TrainConfig, dataset: Dataset, weights: readonly ArrayLike<number>[], epochOffset = 0) {
    this.executor = new CpuExecutor(config, dataset, weights, epochOffset);
  }

  get batchesPerIteration(): number {
    return this.executor.batchesPerIteration;
  }

  get where(): Position {
    return this.executor.where;
  }

  run(steps: number): Promise<IterationError[]> {
    return Promise.resolve(this.executor.run(steps));
  }

  runIterations(count: number): Promise<IterationError[]> {
    return Promise.resolve(this.executor.runIterations(count));
  }

  /** Copies: the executor goes on changing its own. */
  readWeights(): Promise<Float64Array[]> {
    return Promise.resolve(this.executor.weights.map((w) => Float64Array.from(w)));
  }

  evaluate(data: Dataset): Promise<Evaluation> {
    return Promise.resolve(this.executor.evaluate(data));
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): void {}
}
