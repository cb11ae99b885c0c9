// The tolerance policy for float32 GPU results against the float64 CPU reference
// (docs/verification.md). Each comparison returns the largest difference, the number of
// mismatches and the first few of them with both values and the bound, so a failure says where.

const EPS = 2 ** -24; // unit roundoff of float32
const MIN_NORMAL = 2 ** -126;

export interface Mismatch {
  index: number;
  gpu: number;
  ref: number;
  bound: number;
}

export interface Comparison {
  ok: boolean;
  /** Largest |gpu − ref|. */
  maxDiff: number;
  /** Largest |gpu − ref| / bound: below 1 passes. */
  worstRatio: number;
  count: number;
  first: Mismatch[];
}

function compareWith(
  gpu: ArrayLike<number>,
  ref: ArrayLike<number>,
  bound: (i: number) => number,
  equal: (g: number, r: number, b: number) => boolean = (g, r, b) => Math.abs(g - r) <= b,
): Comparison {
  if (gpu.length < ref.length) throw new RangeError(`GPU result has ${gpu.length} values, reference ${ref.length}`);
  let maxDiff = 0;
  let worstRatio = 0;
  let count = 0;
  const first: Mismatch[] = [];
  for (let i = 0; i < ref.length; i++) {
    const g = gpu[i]!;
    const r = ref[i]!;
    const b = bound(i);
    const diff = Number.isNaN(g) || Number.isNaN(r) ? Infinity : Math.abs(g - r);
    if (diff > maxDiff) maxDiff = diff;
    const ratio = diff === 0 ? 0 : b === 0 ? Infinity : diff / b;
    if (ratio > worstRatio) worstRatio = ratio;
    if (!equal(g, r, b)) {
      count++;
      if (first.length < 5) first.push({ index: i, gpu: g, ref: r, bound: b });
    }
  }
  return { ok: count === 0, maxDiff, worstRatio, count, first };
}

/**
 * ReLU, relu2deriv, copies: exact, except that a value below 2⁻¹²⁶ may be flushed to zero and the
 * sign of zero is not compared.
 */
export function compareExact(gpu: ArrayLike<number>, ref: ArrayLike<number>): Comparison {
  return compareWith(
    gpu,
    ref,
    () => 0,
    (g, r) => g === r || (Math.abs(r) < MIN_NORMAL && (g === 0 || g === Math.fround(r))),
  );
}

/** The distance between adjacent float32 values at x. */
export function ulp32(x: number): number {
  const a = Math.abs(Math.fround(x));
  if (a < MIN_NORMAL) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Within `ulps` float32 ULPs of the exact value: 1 for one correctly rounded operation. */
export function compareUlp(gpu: ArrayLike<number>, ref: ArrayLike<number>, ulps = 1): Comparison {
  return compareWith(gpu, ref, (i) => ulps * ulp32(ref[i]!));
}

/**
 * The weight update w − scale·g: two correctly rounded operations, so within one ULP of the product
 * scale·g plus one ULP of the result (where w and scale·g nearly cancel, the product's rounding
 * dominates the result's ULP).
 */
export function compareUpdate(gpu: ArrayLike<number>, ref: ArrayLike<number>, scale: number, weightDelta: ArrayLike<number>): Comparison {
  return compareWith(gpu, ref, (i) => ulp32(ref[i]!) + ulp32(scale * weightDelta[i]!));
}

/** Inputs as a kernel may see them: WGSL lets values below 2⁻¹²⁶ in magnitude be flushed to zero. */
export function flushSubnormals(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values, (x) => (Math.abs(x) < MIN_NORMAL ? 0 : x));
}

/** Exact against either of two references, per element: for kernels whose inputs may be flushed. */
export function compareExactEither(gpu: ArrayLike<number>, refA: ArrayLike<number>, refB: ArrayLike<number>): Comparison {
  const a = compareExact(gpu, refA);
  if (a.ok) return a;
  const chosen = Float64Array.from(refA, (r, i) => (compareExact([gpu[i]!], [refB[i]!]).ok ? refB[i]! : r));
  return compareExact(gpu, chosen);
}

/**
 * A matmul or any length-K reduction: |gpu − ref| ≤ K·2⁻¹²⁶ + 2·K·2⁻²⁴·Σₖ|aᵢₖ·bₖⱼ|, with the
 * scale Σ|a·b| passed per output (cancellation makes an error relative to the result meaningless).
 */
export function compareReduction(
  gpu: ArrayLike<number>,
  ref: ArrayLike<number>,
  absSum: ArrayLike<number>,
  K: number,
): Comparison {
  return compareWith(gpu, ref, (i) => K * MIN_NORMAL + 2 * K * EPS * absSum[i]!);
}

/** Each value within `bound` of the reference. */
export function compareAbsolute(gpu: ArrayLike<number>, ref: ArrayLike<number>, bound: number): Comparison {
  return compareWith(gpu, ref, () => bound);
}

/** Relative agreement, for outcomes such as the error per iteration (1e-4 for the seed's runs). */
export function compareRelative(gpu: ArrayLike<number>, ref: ArrayLike<number>, relative: number): Comparison {
  return compareWith(gpu, ref, (i) => relative * Math.abs(ref[i]!) + MIN_NORMAL);
}

/** "3 of 12 values differ; first: [1] gpu 0.5 ref 0.25 (bound 1e-7), ..." */
export function describeComparison(what: string, c: Comparison, total?: number): string {
  if (c.ok) return `${what}: all within tolerance (largest difference ${c.maxDiff.toExponential(3)})`;
  const shown = c.first
    .map((m) => `[${m.index}] gpu ${m.gpu} ref ${m.ref} (|diff| ${Math.abs(m.gpu - m.ref).toExponential(3)} > bound ${m.bound.toExponential(3)})`)
    .join('; ');
  return `${what}: ${c.count}${total !== undefined ? ` of ${total}` : ''} values beyond tolerance; first: ${shown}`;
}

export const FLOAT32_EPSILON = EPS;

/** Each value within its own bound: |gpu − ref| ≤ bounds[i] (the activations built on exp, fused epilogues). */
export function compareBounds(gpu: ArrayLike<number>, ref: ArrayLike<number>, bounds: ArrayLike<number>): Comparison {
  return compareWith(gpu, ref, (i) => bounds[i]!);
}
