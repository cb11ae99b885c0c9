// The float64 reference for every kernel: plain loops, one function per shader, same names and
// shapes, written to be checked by eye. Inputs may be float32 arrays (the values the GPU got);
// every sum and product here is float64.

type Vec = ArrayLike<number>;

/**
 * c = a · b. c is (M, N); a is (M, K), or (K, M) when transposeA; b is (K, N), or (N, K) when transposeB.
 * shaders/matmul.wgsl.
 */
export function matmul(
  a: Vec,
  b: Vec,
  c: Float64Array,
  M: number,
  K: number,
  N: number,
  transposeA = false,
  transposeB = false,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const aik = transposeA ? a[k * M + i]! : a[i * K + k]!;
        const bkj = transposeB ? b[j * K + k]! : b[k * N + j]!;
        sum += aik * bkj;
      }
      c[i * N + j] = sum;
    }
  }
}

/** Σₖ |a[i][k] · b[k][j]| for each output: the scale of the matmul's rounding error (the tolerance policy). */
export function matmulAbs(
  a: Vec,
  b: Vec,
  M: number,
  K: number,
  N: number,
  transposeA = false,
  transposeB = false,
): Float64Array {
  const absA = Float64Array.from(a, Math.abs);
  const absB = Float64Array.from(b, Math.abs);
  const out = new Float64Array(M * N);
  matmul(absA, absB, out, M, K, N, transposeA, transposeB);
  return out;
}

/** layer = (layer > 0) * layer, in place. shaders/relu.wgsl. */
export function relu(layer: Float64Array, count = layer.length): void {
  for (let i = 0; i < count; i++) layer[i] = layer[i]! > 0 ? layer[i]! : 0;
}

/** 1 where the layer's output is > 0, else 0: numpy's output > 0. */
export function relu2derivOf(output: number): number {
  return output > 0 ? 1 : 0;
}

/** delta = delta * relu2deriv(layer), in place. shaders/relu2deriv.wgsl. */
export function relu2deriv(layer: Vec, delta: Float64Array, count = delta.length): void {
  for (let i = 0; i < count; i++) delta[i] = delta[i]! * relu2derivOf(layer[i]!);
}

/** delta = prediction - goal; returns Σ delta². shaders/output_delta.wgsl. */
export function outputDelta(prediction: Vec, goal: Vec, delta: Float64Array, count = delta.length): number {
  let error = 0;
  for (let i = 0; i < count; i++) {
    const d = prediction[i]! - goal[i]!;
    delta[i] = d;
    error += d * d;
  }
  return error;
}

/** weights = weights - scale * weightDelta, in place. shaders/update.wgsl. */
export function update(weightDelta: Vec, weights: Float64Array, scale: number, count = weights.length): void {
  for (let i = 0; i < count; i++) weights[i] = weights[i]! - scale * weightDelta[i]!;
}
