// The float64 reference network: the seed's training step as plain loops, for any depth.
// Forward: layer_{l+1} = relu(layer_l · weights_l_{l+1}), linear at the output.
// Backward: layer_L_delta = layer_L - goal; layer_l_delta = layer_{l+1}_delta · weights_l_{l+1}ᵀ * relu2deriv(layer_l).
// Update: weights_l_{l+1} -= alpha / rows · layer_lᵀ · layer_{l+1}_delta, after every delta is known.

import { matmul, outputDelta, relu, relu2deriv, update } from './ops.js';

export class CpuNetwork {
  readonly weights: Float64Array[];
  /** layer_0 ... layer_L for the last batch, (rows, size). */
  readonly layers: Float64Array[];
  /** layer_1_delta ... layer_L_delta for the last batch; index 0 is unused. */
  readonly deltas: Float64Array[];
  /** weight_delta_l_{l+1} = layer_lᵀ · layer_{l+1}_delta for the last batch. */
  readonly weightDeltas: Float64Array[];

  constructor(
    readonly sizes: readonly number[],
    weights: readonly ArrayLike<number>[],
    maxRows: number,
  ) {
    this.weights = weights.map((w) => Float64Array.from(w));
    this.layers = sizes.map((size) => new Float64Array(maxRows * size));
    this.deltas = sizes.map((size) => new Float64Array(maxRows * size));
    this.weightDeltas = this.weights.map((w) => new Float64Array(w.length));
  }

  /** The forward pass for `rows` examples; returns layer_L, the prediction. */
  forward(layer0: ArrayLike<number>, rows: number): Float64Array {
    const { sizes, layers, weights } = this;
    const last = sizes.length - 1;
    for (let i = 0; i < rows * sizes[0]!; i++) layers[0]![i] = layer0[i]!;
    for (let l = 0; l < last; l++) {
      matmul(layers[l]!, weights[l]!, layers[l + 1]!, rows, sizes[l]!, sizes[l + 1]!);
      if (l + 1 < last) relu(layers[l + 1]!, rows * sizes[l + 1]!);
    }
    return layers[last]!;
  }

  /**
   * The forward pass, the deltas and weight_delta_l = layer_lᵀ · layer_{l+1}_delta for every matrix,
   * without changing the weights; returns the batch's Σ (prediction - goal)².
   */
  gradients(layer0: ArrayLike<number>, goal: ArrayLike<number>, rows: number): number {
    const { sizes, layers, deltas, weights, weightDeltas } = this;
    const last = sizes.length - 1;
    this.forward(layer0, rows);
    const error = outputDelta(layers[last]!, goal, deltas[last]!, rows * sizes[last]!);
    for (let l = last - 1; l >= 1; l--) {
      matmul(deltas[l + 1]!, weights[l]!, deltas[l]!, rows, sizes[l + 1]!, sizes[l]!, false, true);
      relu2deriv(layers[l]!, deltas[l]!, rows * sizes[l]!);
    }
    for (let l = last - 1; l >= 0; l--) {
      matmul(layers[l]!, deltas[l + 1]!, weightDeltas[l]!, sizes[l]!, rows, sizes[l + 1]!, true, false);
    }
    return error;
  }

  /** One step of gradient descent on one batch; returns the batch's Σ (prediction - goal)². */
  trainBatch(layer0: ArrayLike<number>, goal: ArrayLike<number>, rows: number, alpha: number): number {
    const error = this.gradients(layer0, goal, rows);
    for (let l = this.weights.length - 1; l >= 0; l--) update(this.weightDeltas[l]!, this.weights[l]!, alpha / rows);
    return error;
  }
}
