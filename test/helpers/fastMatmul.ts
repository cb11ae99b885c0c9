// The fast matmul checked against the float64 reference under the tolerance policy, one case at a
// time: operands padded as the fast plan pads them, padding that must stay zero, a guard band past
// the output. Shared by the tests of the register-blocked and quad variants and of the staged ones.

import { expect } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.js';
import * as cpu from '../../src/cpu/ops.js';
import type { Epilogue, FastForm, Variant } from '../../src/kernels/matmulFast/variants.js';
import type { Tiles } from '../../src/kernels/matmulFast/tiles.js';
import { matmulFast } from '../../src/kernels/matmulFast/build.js';
import { pad4 } from '../../src/net/spec.js';
import { compareReduction, describeComparison, ulp32 } from '../../src/verify/tolerance.js';
import { guardIntact, randomValues, runDispatch, useGpu, withGuard, withMaxGroups } from './gpu.js';

/** The test file's GPU context (one per file, made before its tests). */
export const gpu = useGpu();

/** rows × cols values laid out with rows padded to `stride` columns of zeros, and to `height` rows. */
function padRows(values: ArrayLike<number>, rows: number, cols: number, stride: number, height = rows): Float32Array {
  const out = new Float32Array(height * stride);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * stride + c] = values[r * cols + c]!;
  return out;
}

function unpadRows(values: ArrayLike<number>, rows: number, cols: number, stride: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = values[r * stride + c]!;
  return out;
}

export interface Case {
  form: FastForm;
  epilogue: Epilogue;
  /** Logical sizes: c is (M, N), sums of length K. */
  M: number;
  K: number;
  N: number;
  tiles?: Tiles;
  /** The workgroup-tiled variant instead of the register-blocked one. */
  variant?: Variant;
  /** A lower maxComputeWorkgroupsPerDimension than the device's, to make the grid fold into z. */
  maxGroups?: number;
}

/** The context with a lower workgroup limit than the device's, when asked. */
function limited(ctx: GpuContext, maxGroups: number | undefined): GpuContext {
  return maxGroups === undefined ? ctx : withMaxGroups(ctx, maxGroups);
}

export async function check({ form, epilogue, M, K, N, tiles, variant, maxGroups }: Case): Promise<void> {
  const ctx = limited(gpu(), maxGroups);
  // Logical operands, as the CPU sees them.
  const aRows = form === 'gradient' ? K : M;
  const aCols = form === 'gradient' ? M : K;
  const bRows = form === 'backward' ? N : K;
  const bCols = form === 'backward' ? K : N;
  const a = randomValues(aRows * aCols, M + 3 * K);
  const b = randomValues(bRows * bCols, N + 5 * K);
  const mask = randomValues(M * N, 99);
  const weights = randomValues(M * N, 7);
  // Padded as the fast plan stores them: row lengths rounded up to vec4s.
  const Np = pad4(N);
  const Kp = form === 'gradient' ? K : pad4(K);
  const Mp = form === 'gradient' ? pad4(M) : M;
  const ga = ctx.storage('a', padRows(a, aRows, aCols, pad4(aCols)));
  // b is a weight matrix in forward and backward: its rows are padded too.
  const gb = ctx.storage('b', padRows(b, bRows, bCols, pad4(bCols), form === 'gradient' ? bRows : pad4(bRows)));
  const initial = epilogue === 'update' ? padRows(weights, M, N, Np, Mp) : new Float32Array(Mp * Np);
  const gc = ctx.storage('c', withGuard(initial));
  const gm = ctx.storage('mask', padRows(mask, M, N, Np));
  const unused = ctx.storage('unused', 4);
  const unusedBias = ctx.storage('unusedBias', 4);
  const scale = Math.fround(0.2 / 3);
  const d = await matmulFast(ctx, {
    label: `${form} ${epilogue}`,
    form,
    epilogue,
    a: ga,
    b: gb,
    c: gc,
    mask: epilogue === 'activate2deriv' ? gm : undefined,
    unusedMask: unused,
    unusedBias,
    M: Mp,
    K: Kp,
    N: Np,
    scale,
    ...(tiles ? { tiles } : {}),
    ...(variant ? { variant } : {}),
  });
  if (maxGroups !== undefined) expect(d.workgroups[2], 'the grid has more than one layer').toBeGreaterThan(1);
  await runDispatch(ctx, d);
  const out = await ctx.read(gc);
  for (const buffer of [ga, gb, gc, gm, unused, unusedBias, ...d.owned]) ctx.destroyBuffer(buffer);
  expect(guardIntact(out, Mp * Np), 'guard band past c').toBe(true);
  // Padding columns stay exactly 0 (or, for an update, keep their 0).
  for (let r = 0; r < Mp; r++) for (let c = N; c < Np; c++) expect(out[r * Np + c], `padding [${r}][${c}]`).toBe(0);

  const product = new Float64Array(M * N);
  cpu.matmul(a, b, product, M, K, N, form === 'gradient', form === 'backward');
  const scaleSum = cpu.matmulAbs(a, b, M, K, N, form === 'gradient', form === 'backward');
  const got = unpadRows(out, M, N, Np);
  let ref = product;
  let bound = scaleSum;
  if (epilogue === 'activate') ref = product.map((v) => (v > 0 ? v : 0));
  if (epilogue === 'activate2deriv') {
    ref = product.map((v, i) => v * cpu.relu2derivOf(mask[i]!));
    bound = scaleSum.map((s, i) => s * cpu.relu2derivOf(mask[i]!));
  }
  if (epilogue === 'update') {
    // w − scale·Σ: the sum's bound, scaled, plus one ULP of the product and one of the result.
    ref = product.map((v, i) => weights[i]! - scale * v);
    const c = compareReduction(
      got,
      ref,
      scaleSum.map((s, i) => scale * s + (ulp32(ref[i]!) + ulp32(scale * product[i]!)) / (2 * K * 2 ** -24)),
      K,
    );
    expect(c.ok, describeComparison(`${form} ${epilogue}`, c)).toBe(true);
    return;
  }
  const c = compareReduction(got, ref, bound, K);
  expect(c.ok, describeComparison(`${form} ${epilogue}`, c)).toBe(true);
}

/** Every form with both of its epilogues, as `extra` says (a variant, tiles). */
export async function checkEveryEpilogue(M: number, K: number, N: number, extra: Partial<Case>): Promise<void> {
  for (const epilogue of ['store', 'activate'] as const) await check({ form: 'forward', epilogue, M, K, N, ...extra });
  for (const epilogue of ['store', 'activate2deriv'] as const) await check({ form: 'backward', epilogue, M, K, N, ...extra });
  for (const epilogue of ['store', 'update'] as const) await check({ form: 'gradient', epilogue, M, K, N, ...extra });
}

/** Shapes whose edges cut every tile: rows, columns and the sum each end part-way through one. */
export const EDGE_SHAPES: readonly (readonly [number, number, number])[] = [
  [37, 20, 52],
  [9, 8, 20],
  [3, 4, 4],
];

/** Each form with the epilogue a trainer gives it, on each shape. */
export async function checkEdges(shapes: readonly (readonly [number, number, number])[], extra: Partial<Case>): Promise<void> {
  for (const [M, K, N] of shapes) {
    await check({ form: 'forward', epilogue: 'activate', M, K, N, ...extra });
    await check({ form: 'backward', epilogue: 'activate2deriv', M, K, N, ...extra });
    await check({ form: 'gradient', epilogue: 'update', M, K, N, ...extra });
  }
}

/** Sizes that are not multiples of any tile, the degenerate 1×1×1, and MNIST's layers. */
export const SHAPES: readonly [number, number, number][] = [
  [1, 4, 4],
  [1, 1, 1],
  [3, 5, 7],
  [7, 13, 31],
  [8, 8, 8],
  [9, 12, 17],
  [17, 16, 9],
  [31, 33, 65],
  [100, 784, 128],
  [100, 128, 10],
];

/** Those and two more whose rows and columns cut the workgroup tiles part-way. */
export const ODD_SHAPES: readonly [number, number, number][] = [...SHAPES, [65, 17, 70], [130, 33, 9]];
