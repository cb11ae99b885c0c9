// A run on CpuNetwork, the plain-loop reference, with its own gathering of each batch: what the
// CPU executor (which runs the plans' steps) is held to, bit for bit.

import { CpuNetwork } from '../../src/cpu/network.js';
import type { Dataset } from '../../src/data/dataset.js';
import { activationOf } from '../../src/ops/activations/index.js';
import type { TrainConfig } from '../../src/train/config.js';
import type { IterationError } from '../../src/train/types.js';
import { alphaAt, epochOrder, epochShifts, shiftedImage } from '../../src/train/schedule.js';

export function plainRun(config: TrainConfig, dataset: Dataset, weights: readonly ArrayLike<number>[], iterations: number): { errors: IterationError[]; weights: Float64Array[] } {
  const { batchSize } = config;
  const { inputSize, outputSize, rows } = dataset;
  const net = new CpuNetwork(config.layers, weights, batchSize, { bias: config.bias, loss: config.loss, activation: activationOf(config.activation) });
  const layer0 = new Float64Array(batchSize * inputSize);
  const goal = new Float64Array(batchSize * outputSize);
  const errors: IterationError[] = [];
  for (let epoch = 0; epoch < iterations; epoch++) {
    const order = config.shuffle ? epochOrder(config.seed, epoch, rows) : Uint32Array.from({ length: rows }, (_, i) => i);
    const shifts = epochShifts(config.seed, epoch, rows, config.shift);
    let error = 0;
    let correct = 0;
    for (let start = 0; start < rows; start += batchSize) {
      const n = Math.min(batchSize, rows - start);
      for (let r = 0; r < n; r++) {
        const row = order[start + r]!;
        if (config.shift > 0) shiftedImage(dataset.inputs, row, inputSize, dataset.imageWidth!, shifts[2 * row]!, shifts[2 * row + 1]!, layer0, r * inputSize);
        else for (let c = 0; c < inputSize; c++) layer0[r * inputSize + c] = dataset.inputs[row * inputSize + c]!;
        for (let c = 0; c < outputSize; c++) goal[r * outputSize + c] = dataset.targets[row * outputSize + c]!;
      }
      error += net.trainBatch(layer0, goal, n, alphaAt(config, epoch));
      correct += net.correct;
    }
    errors.push(dataset.labels ? { iteration: epoch, error, correct } : { iteration: epoch, error });
  }
  return { errors, weights: net.parameters };
}
