// Each matmul the benchmark times is checked against float64 on the adapter it ran on: a figure for
// a kernel that computes the wrong numbers (a race a CPU rasterizer never shows, say) is no figure.
// A sample of entries, spread over the whole output (first and last rows and columns among them),
// each summed in float64 and held to the tolerance policy's bound for a length-K reduction.

import { compareReduction, describeComparison } from '../src/verify/tolerance.js';
import type { FastForm } from '../src/kernels/matmulFast/variants.js';

export interface ProductCheck {
  ok: boolean;
  /** Entries compared. */
  entries: number;
  /** Largest |gpu − ref| / bound among them: below 1 passes. */
  worst: number;
  /** One line for a person: how many, the worst, and the first mismatches if any. */
  text: string;
}

/** Up to `most` indices in [0, n), evenly spread, always with the first and the last. */
export function spread(n: number, most: number): number[] {
  if (n <= most) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: most }, (_, i) => Math.round((i * (n - 1)) / (most - 1)));
}

/**
 * c (M×N, as read back) against a·b in float64 on a sample of `side`² entries (all where smaller).
 * a and b are stored as the form says: forward a (M,K) b (K,N); backward b (N,K); gradient a (K,M).
 */
export function checkProduct(c: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, form: FastForm, M: number, K: number, N: number, side = 48): ProductCheck {
  const rows = spread(M, side);
  const cols = spread(N, side);
  const got = new Float64Array(rows.length * cols.length);
  const ref = new Float64Array(got.length);
  const absSum = new Float64Array(got.length);
  let at = 0;
  for (const i of rows) {
    for (const j of cols) {
      let sum = 0;
      let abs = 0;
      for (let k = 0; k < K; k++) {
        const x = form === 'gradient' ? a[k * M + i]! : a[i * K + k]!;
        const y = form === 'backward' ? b[j * K + k]! : b[k * N + j]!;
        sum += x * y;
        abs += Math.abs(x * y);
      }
      got[at] = c[i * N + j]!;
      ref[at] = sum;
      absSum[at++] = abs;
    }
  }
  const comparison = compareReduction(got, ref, absSum, K);
  const text = comparison.ok
    ? `${got.length.toLocaleString('en')} sampled entries within the tolerance (worst ${comparison.worstRatio.toFixed(3)} of the bound)`
    : describeComparison(`${M}×${K}×${N}`, comparison, got.length);
  return { ok: comparison.ok, entries: got.length, worst: comparison.worstRatio, text };
}
