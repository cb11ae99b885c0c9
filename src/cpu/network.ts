// The float64 reference network: the seed's training step as plain loops, for any depth, with
// the two additions real data needs (optional biases, a softmax output with cross-entropy).
// Forward: layer_{l+1} = relu(layer_l · weights_l_{l+1} + bias_l_{l+1}), linear (or softmax) at the output;
//          relu is the seed's activation, sigmoid, tanh or linear (none) may stand in its place.
// Backward: layer_L_delta = prediction - goal (for softmax + cross-entropy, softmax(layer_L) - goal);
//           layer_l_delta = layer_{l+1}_delta · weights_l_{l+1}ᵀ * relu2deriv(layer_l).
// Update: weights_l_{l+1} -= alpha / rows · layer_lᵀ · layer_{l+1}_delta, bias_l_{l+1} -= alpha / rows · Σ_rows layer_{l+1}_delta,
//         after every delta is known.

import type { Activation } from '../ops/activations/activation.js';
import { relu } from '../ops/activations/relu.js';
import { accuracy, addBias, biasGradient, matmul, outputDelta, softmaxDelta, update } from './ops.js';

export type Loss = 'squared' | 'softmax';

export interface NetworkOptions {
  /** Each layer after the input has a bias per unit. */
  bias?: boolean;
  /** 'squared': linear output, error Σ (prediction − goal)² as in the seed; 'softmax': cross-entropy. */
  loss?: Loss;
  /** The hidden layers' activation (default relu). */
  activation?: Activation;
}

export class CpuNetwork {
  readonly weights: Float64Array[];
  /** bias_l_{l+1} for each layer after the input; empty without biases. */
  readonly biases: Float64Array[];
  /** layer_0 ... layer_L for the last batch, (rows, size). With softmax, layer_L holds the logits. */
  readonly layers: Float64Array[];
  /** layer_1_delta ... layer_L_delta for the last batch; index 0 is unused. */
  readonly deltas: Float64Array[];
  /** weight_delta_l_{l+1} = layer_lᵀ · layer_{l+1}_delta for the last batch. */
  readonly weightDeltas: Float64Array[];
  readonly biasDeltas: Float64Array[];
  /** Rows of the last batch whose largest output was the goal's class. */
  correct = 0;
  readonly loss: Loss;
  readonly activation: Activation;

  /** `params`: the weight matrices, then (with biases) one bias vector per matrix. */
  constructor(
    readonly sizes: readonly number[],
    params: readonly ArrayLike<number>[],
    maxRows: number,
    options: NetworkOptions = {},
  ) {
    const matrices = sizes.length - 1;
    this.weights = params.slice(0, matrices).map((w) => Float64Array.from(w));
    this.biases = options.bias ? params.slice(matrices, 2 * matrices).map((b) => Float64Array.from(b)) : [];
    this.loss = options.loss ?? 'squared';
    this.activation = options.activation ?? relu;
    this.layers = sizes.map((size) => new Float64Array(maxRows * size));
    this.deltas = sizes.map((size) => new Float64Array(maxRows * size));
    this.weightDeltas = this.weights.map((w) => new Float64Array(w.length));
    this.biasDeltas = this.biases.map((b) => new Float64Array(b.length));
  }

  /** Weights then biases, as the trainers hand parameters around. */
  get parameters(): Float64Array[] {
    return [...this.weights, ...this.biases];
  }

  /** The forward pass for `rows` examples; returns layer_L (the prediction, or the logits). */
  forward(layer0: ArrayLike<number>, rows: number): Float64Array {
    const { sizes, layers, weights, biases } = this;
    const last = sizes.length - 1;
    for (let i = 0; i < rows * sizes[0]!; i++) layers[0]![i] = layer0[i]!;
    for (let l = 0; l < last; l++) {
      matmul(layers[l]!, weights[l]!, layers[l + 1]!, rows, sizes[l]!, sizes[l + 1]!);
      if (biases.length) addBias(layers[l + 1]!, biases[l]!, rows, sizes[l + 1]!);
      if (l + 1 < last) {
        const layer = layers[l + 1]!;
        for (let i = 0; i < rows * sizes[l + 1]!; i++) layer[i] = this.activation.forward(layer[i]!);
      }
    }
    return layers[last]!;
  }

  /**
   * The forward pass, the deltas and every weight_delta (and bias delta), without changing the
   * parameters; returns the batch's error: Σ (prediction − goal)², or the cross-entropy.
   */
  gradients(layer0: ArrayLike<number>, goal: ArrayLike<number>, rows: number): number {
    const { sizes, layers, deltas, weights, weightDeltas } = this;
    const last = sizes.length - 1;
    this.forward(layer0, rows);
    const out = sizes[last]!;
    const error =
      this.loss === 'softmax'
        ? softmaxDelta(layers[last]!, goal, deltas[last]!, rows, out)
        : outputDelta(layers[last]!, goal, deltas[last]!, rows * out);
    this.correct = out > 1 ? accuracy(layers[last]!, goal, rows, out) : 0;
    for (let l = last - 1; l >= 1; l--) {
      matmul(deltas[l + 1]!, weights[l]!, deltas[l]!, rows, sizes[l + 1]!, sizes[l]!, false, true);
      const layer = layers[l]!;
      const delta = deltas[l]!;
      for (let i = 0; i < rows * sizes[l]!; i++) delta[i] = delta[i]! * this.activation.derivative(layer[i]!);
    }
    for (let l = last - 1; l >= 0; l--) {
      matmul(layers[l]!, deltas[l + 1]!, weightDeltas[l]!, sizes[l]!, rows, sizes[l + 1]!, true, false);
      if (this.biases.length) biasGradient(deltas[l + 1]!, rows, sizes[l + 1]!, this.biasDeltas[l]!);
    }
    return error;
  }

  /** One step of gradient descent on one batch; returns the batch's error. */
  trainBatch(layer0: ArrayLike<number>, goal: ArrayLike<number>, rows: number, alpha: number): number {
    const error = this.gradients(layer0, goal, rows);
    for (let l = this.weights.length - 1; l >= 0; l--) {
      update(this.weightDeltas[l]!, this.weights[l]!, alpha / rows);
      if (this.biases.length) update(this.biasDeltas[l]!, this.biases[l]!, alpha / rows);
    }
    return error;
  }
}
