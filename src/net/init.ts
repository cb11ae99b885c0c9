// Initial weights, as the seed makes them: after np.random.seed(S), each matrix in layer order is
// 2 * np.random.random((rows, cols)) - 1, filled row by row. The single-layer program starts from
// fixed weights instead.

import { MT19937 } from './mt19937.js';
import { weightShape, type Layers } from './spec.js';

/** The seed's first program: weights = np.array([0.5, 0.48, -0.7]) for a [3, 1] net. */
export const ONE_LAYER_WEIGHTS: readonly number[] = [0.5, 0.48, -0.7];

/** One Float64Array per weight matrix, (rows, cols) row-major, exactly as numpy draws them. */
export function seededWeights(layers: Layers, seed: number): Float64Array[] {
  const rng = new MT19937(seed);
  const weights: Float64Array[] = [];
  for (let l = 0; l < layers.length - 1; l++) {
    const [rows, cols] = weightShape(layers, l);
    const w = new Float64Array(rows * cols);
    for (let i = 0; i < w.length; i++) w[i] = 2 * rng.random() - 1;
    weights.push(w);
  }
  return weights;
}
