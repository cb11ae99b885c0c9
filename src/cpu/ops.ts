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

/** layer[r][j] += bias[j] for every row: the bias of each unit. rows × n. */
export function addBias(layer: Float64Array, bias: Vec, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) layer[r * n + j] = layer[r * n + j]! + bias[j]!;
}

/** biasDelta[j] = Σ_rows delta[r][j]: the gradient of each unit's bias. shaders/matmul_fast.wgsl (gradient). */
export function biasGradient(delta: Vec, rows: number, n: number, biasDelta: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += delta[r * n + j]!;
    biasDelta[j] = sum;
  }
}

/**
 * delta = softmax(z) - goal per row, and returns the cross-entropy Σ_rows Σ_j −goal_j · log softmax(z)_j,
 * computed as goal-weighted (logsumexp(z) − z_j) so that no probability is rounded to 0 before its log.
 * z, goal and delta are (rows, n). shaders/softmax_delta.wgsl.
 */
export function softmaxDelta(z: Vec, goal: Vec, delta: Float64Array, rows: number, n: number): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, z[r * n + j]!);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(z[r * n + j]! - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < n; j++) {
      const p = Math.exp(z[r * n + j]! - lse);
      delta[r * n + j] = p - goal[r * n + j]!;
      loss += goal[r * n + j]! * (lse - z[r * n + j]!);
    }
  }
  return loss;
}

/** The index of the first largest value of row r. */
export function argmax(values: Vec, r: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (values[r * n + j]! > values[r * n + best]!) best = j;
  return best;
}

/** Rows whose largest prediction is the goal's largest entry (the class). shaders/accuracy.wgsl. */
export function accuracy(prediction: Vec, goal: Vec, rows: number, n: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) if (argmax(prediction, r, n) === argmax(goal, r, n)) correct++;
  return correct;
}
