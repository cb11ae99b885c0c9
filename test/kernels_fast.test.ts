// The fast matmul in its three forms and four epilogues, against the float64 reference under the
// tolerance policy: odd batch sizes, sizes that are not multiples of the register tile, padding that
// must stay zero, and a guard band past the output.

import { describe, expect, test } from 'vitest';
import type { GpuContext } from '../src/gpu/context.js';
import * as cpu from '../src/cpu/ops.js';
import { candidates, chooseTiles, matmulFast, matmulFastFor, pad4, QUAD_TILE_ORDER, quadTiles, SPLIT_WAYS, TILE_ORDER, type Epilogue, type FastForm, type Tiles, type Variant } from '../src/kernels/matmulFast.js';
import { compareReduction, describeComparison, ulp32 } from '../src/verify/tolerance.js';
import { guardIntact, randomValues, runDispatch, useGpu, withGuard, withMaxGroups } from './helpers/gpu.js';

const gpu = useGpu();

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

interface Case {
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

async function check({ form, epilogue, M, K, N, tiles, variant, maxGroups }: Case): Promise<void> {
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
async function checkEveryEpilogue(M: number, K: number, N: number, extra: Partial<Case>): Promise<void> {
  for (const epilogue of ['store', 'activate'] as const) await check({ form: 'forward', epilogue, M, K, N, ...extra });
  for (const epilogue of ['store', 'activate2deriv'] as const) await check({ form: 'backward', epilogue, M, K, N, ...extra });
  for (const epilogue of ['store', 'update'] as const) await check({ form: 'gradient', epilogue, M, K, N, ...extra });
}

/** Shapes whose edges cut every tile: rows, columns and the sum each end part-way through one. */
const EDGE_SHAPES: readonly (readonly [number, number, number])[] = [
  [37, 20, 52],
  [9, 8, 20],
  [3, 4, 4],
];

/** Each form with the epilogue a trainer gives it, on each shape. */
async function checkEdges(shapes: readonly (readonly [number, number, number])[], extra: Partial<Case>): Promise<void> {
  for (const [M, K, N] of shapes) {
    await check({ form: 'forward', epilogue: 'activate', M, K, N, ...extra });
    await check({ form: 'backward', epilogue: 'activate2deriv', M, K, N, ...extra });
    await check({ form: 'gradient', epilogue: 'update', M, K, N, ...extra });
  }
}

describe('matmul_fast', () => {
  const shapes: [number, number, number][] = [
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
  const oddShapes: [number, number, number][] = [...shapes, [65, 17, 70], [130, 33, 9]];
  for (const [M, K, N] of shapes) {
    test(`forward M=${M} K=${K} N=${N}: store and relu`, async () => {
      await check({ form: 'forward', epilogue: 'store', M, K, N });
      await check({ form: 'forward', epilogue: 'activate', M, K, N });
    });
    test(`backward M=${M} K=${K} N=${N}: store and relu2deriv`, async () => {
      await check({ form: 'backward', epilogue: 'store', M, K, N });
      await check({ form: 'backward', epilogue: 'activate2deriv', M, K, N });
    });
    test(`gradient M=${M} K=${K} N=${N}: store and update`, async () => {
      await check({ form: 'gradient', epilogue: 'store', M, K, N });
      await check({ form: 'gradient', epilogue: 'update', M, K, N });
    });
  }

  test('more rows than the workgroup limit allows down: the grid folds into z, every form still right', async () => {
    // With at most 4 workgroups per dimension, 100 rows take more than 4 workgroups down.
    for (const form of ['forward', 'backward'] as const) {
      await check({ form, epilogue: 'store', M: 100, K: 8, N: 8, maxGroups: 4 });
    }
  });

  // The workgroup-tiled variant, both workgroup sides, every form and epilogue, on odd sizes.
  for (const side of [8, 16] as const) {
    for (const [M, K, N] of oddShapes) {
      test(`tiled ${side}×${side}, M=${M} K=${K} N=${N}: every form and epilogue`, async () => {
        await checkEveryEpilogue(M, K, N, { variant: { kind: 'tiled', side } });
      });
    }
  }

  // The quad variant (reads of b shared by each quad of lanes; Dawn on SwiftShader has subgroups): the
  // shapes above with its own tiles, then every tile it has (up to 16×32) in workgroups of 1 × 4 and 1 × 8.
  describe('quad', () => {
    const quad = (tiles?: Tiles): Variant => ({ kind: 'quad', ...(tiles ? { tiles } : {}) });
    for (const [M, K, N] of oddShapes) {
      test(`quad, M=${M} K=${K} N=${N}: every form and epilogue`, async () => {
        await checkEveryEpilogue(M, K, N, { variant: quad() });
      });
    }
    for (const [bm, bn] of QUAD_TILE_ORDER) {
      for (const wy of [4, 8]) {
        test(`quad ${4 * bm}×${4 * bn} in 1 × ${wy}, forced, on shapes with edges everywhere`, async () => {
          // And one wider than two of its 32-column tiles.
          await checkEdges([...EDGE_SHAPES, [70, 12, 100]], { variant: quad({ bm, bn, wx: 1, wy }) });
        });
      }
    }
    test('quad: rows past the workgroup limit fold into z', async () => {
      for (const form of ['forward', 'backward'] as const) await check({ form, epilogue: 'store', M: 300, K: 8, N: 8, maxGroups: 4, variant: quad() });
    });
  });

  // The 128×128 tiled variant in both layouts (8×8 outputs per invocation in slices of 8 terms,
  // 8×16 in slices of 16), every form and epilogue: on the shapes above, and on shapes of more
  // than one of its blocks each way, with sums that end part-way through a slice.
  for (const wide of [false, true]) {
    for (const [M, K, N] of [...oddShapes, [150, 20, 260] as [number, number, number], [257, 9, 131] as [number, number, number]]) {
      test(`tiled 128×128${wide ? ' (8×16 each)' : ''}, M=${M} K=${K} N=${N}: every form and epilogue`, async () => {
        await checkEveryEpilogue(M, K, N, { variant: { kind: 'tiled128', wide } });
      });
    }
  }

  // The split-K variant, 16 and 4 ways, every form and epilogue: on the shapes above, on sums too
  // short for every run to get terms, and on blocks cut by every edge; MNIST's shape (seconds a
  // product on a CPU rasterizer) with the epilogue a trainer gives each form.
  for (const ways of SPLIT_WAYS) {
    const small = oddShapes.filter(([M, K, N]) => M * K * N < 100 * 784 * 128);
    for (const [M, K, N] of [...small, [150, 20, 260] as [number, number, number], [33, 196, 44] as [number, number, number]]) {
      test(`split-K ×${ways}, M=${M} K=${K} N=${N}: every form and epilogue`, async () => {
        await checkEveryEpilogue(M, K, N, { variant: { kind: 'splitk', ways } });
      });
    }
    test(`split-K ×${ways}, MNIST's 100×784×128: each form`, async () => {
      await checkEdges([[100, 784, 128]], { variant: { kind: 'splitk', ways } });
    });
    test(`split-K ×${ways}: rows past the workgroup limit fold into z`, async () => {
      for (const form of ['forward', 'backward'] as const) await check({ form, epilogue: 'store', M: 300, K: 8, N: 8, maxGroups: 8, variant: { kind: 'splitk', ways } });
    });
  }

  test('tiled 128×128: rows past the workgroup limit fold into z', async () => {
    for (const wide of [false, true]) {
      for (const form of ['forward', 'backward'] as const) await check({ form, epilogue: 'store', M: 300, K: 8, N: 8, maxGroups: 2, variant: { kind: 'tiled128', wide } });
    }
  });

  test('tiled: rows past the workgroup limit fold into z', async () => {
    for (const form of ['forward', 'backward'] as const) await check({ form, epilogue: 'store', M: 300, K: 8, N: 8, maxGroups: 4, variant: { kind: 'tiled', side: 8 } });
  });

  test('the variant is measured once per shape and adapter, then remembered', async () => {
    const ctx = gpu();
    const before = ctx.kernelChoices;
    const kept = new Map<string, string>();
    ctx.kernelChoices = { get: (k) => kept.get(k), set: (k, v) => void kept.set(k, v), where: 'test' };
    try {
      expect(candidates(ctx, 1024, 1024).map((v) => v.kind)).toEqual(['register', ...(ctx.hasSubgroups ? ['quad'] : []), 'tiled', 'tiled', 'tiled128', 'tiled128', 'splitk', 'splitk']);
      expect(candidates(ctx, 1024, 1024).filter((v) => v.kind === 'tiled128')).toEqual([{ kind: 'tiled128' }, { kind: 'tiled128', wide: true }]);
      // Big tiles only where there are rows and columns for more than one, and 64 of them.
      expect(candidates(ctx, 100, 1 << 20).map((v) => v.kind)).not.toContain('tiled128');
      expect(candidates(ctx, 1024, 1008).map((v) => v.kind)).not.toContain('tiled128');
      expect(candidates(ctx, 256, 256).map((v) => v.kind)).toEqual(['register', ...(ctx.hasSubgroups ? ['quad'] : []), 'tiled', 'tiled', 'splitk', 'splitk']);
      const a = ctx.storage('a', 256 * 256);
      const b = ctx.storage('b', 256 * 256);
      const c = ctx.storage('c', 256 * 256);
      const unused = ctx.storage('unused', 4);
      const unusedBias = ctx.storage('unusedBias', 4);
      const args = { label: 'choice', form: 'forward' as const, epilogue: 'store' as const, a, b, c, unusedMask: unused, unusedBias, M: 256, K: 256, N: 256 };
      // A small product is not worth measuring: it runs quad (with subgroups) or register-blocked, and nothing is kept.
      const small = await matmulFastFor(ctx, { ...args, M: 64, K: 64, N: 64 });
      expect(small.variant).toMatch(ctx.hasSubgroups ? /^quad/ : /^register/);
      expect(kept.size).toBe(0);
      const first = await matmulFastFor(ctx, args);
      expect(kept.size).toBe(1);
      const [key, value] = [...kept][0]!;
      expect(key).toContain(ctx.adapterName);
      expect(key).toContain('forward|store||256x256x256');
      expect(value).toMatch(/^((register|quad):\d,\d,\d+,\d+|tiled:(8|16)|tiled128:(wide)?|splitk:(4|16))$/);
      // A remembered choice is used as it is, not measured again.
      kept.set(key, 'tiled:16');
      const second = await matmulFastFor(ctx, args);
      expect(second.variant).toBe('tiled 16×16');
      expect(first.variant).toMatch(/^((register|quad) \d+×\d+|tiled (8|16)×(8|16)|tiled 128×128( \(8×16 each\))?|split-K ×(4|16))$/);
      // And the 128×128 tiles, kept, are read back as they were written.
      kept.set(key, 'tiled128:');
      const big = await matmulFastFor(ctx, args);
      expect(big.variant).toBe('tiled 128×128');
      kept.set(key, 'tiled128:wide');
      const wide = await matmulFastFor(ctx, args);
      expect(wide.variant).toBe('tiled 128×128 (8×16 each)');
      kept.set(key, 'splitk:16');
      const split = await matmulFastFor(ctx, args);
      expect(split.variant).toBe('split-K ×16');
      for (const buffer of [...big.owned, ...wide.owned, ...split.owned]) ctx.destroyBuffer(buffer);
      // A kept quad on a device without subgroups is measured again, never run.
      const noSubgroups = Object.create(ctx, { hasSubgroups: { value: false } }) as GpuContext;
      kept.set(key, 'quad:2,4,1,8');
      const third = await matmulFastFor(noSubgroups, args);
      expect(third.variant).not.toMatch(/^quad/);
      for (const buffer of [a, b, c, unused, unusedBias, ...small.owned, ...first.owned, ...second.owned, ...third.owned]) ctx.destroyBuffer(buffer);
    } finally {
      ctx.kernelChoices = before;
    }
  });

  test('tiles: 8×16 where there is work for every lane, smaller where there is not', () => {
    const ctx = gpu();
    expect(chooseTiles(ctx, 512, 512)).toMatchObject({ bm: 2, bn: 4 });
    expect(chooseTiles(ctx, 100, 128)).toMatchObject({ bm: 2, bn: 4 });
    expect(chooseTiles(ctx, 100, 32)).toMatchObject({ bm: 1, bn: 2 });
    expect(chooseTiles(ctx, 4, 4)).toMatchObject({ bm: 1, bn: 1 });
    // The quad variant goes up to 16×32, in workgroups of whole quads.
    expect(quadTiles(ctx, 512, 512)).toMatchObject({ bm: 4, bn: 8, wx: 1, wy: 8 });
    expect(quadTiles(ctx, 100, 128)).toMatchObject({ bm: 2, bn: 4 });
    // Where that is smaller than 16×32, 16×32 is measured too (a CPU rasterizer needs few lanes).
    const quads = (M: number, N: number): unknown[] => candidates(ctx, M, N).flatMap((v) => (v.kind === 'quad' ? [[v.tiles!.bm, v.tiles!.bn]] : []));
    expect(quads(100, 128)).toEqual([[2, 4], [4, 8]]);
    expect(quads(512, 512)).toEqual([[4, 8]]);
  });

  test('a tile only the quad variant holds is refused by the register-blocked kernel, with the reason', async () => {
    const ctx = gpu();
    const [a, b, c, unused, unusedBias] = [16, 16, 16, 4, 4].map((n, i) => ctx.storage(`x${i}`, n));
    const args = { label: 'big tile', form: 'forward' as const, epilogue: 'store' as const, a: a!, b: b!, c: c!, unusedMask: unused!, unusedBias: unusedBias!, M: 4, K: 4, N: 4 };
    await expect(matmulFast(ctx, { ...args, tiles: { bm: 4, bn: 8, wx: 1, wy: 4 } })).rejects.toThrow(/16×32 tile is the quad variant's/);
    for (const buffer of [a, b, c, unused, unusedBias]) ctx.destroyBuffer(buffer!);
  });

  for (const [bm, bn] of TILE_ORDER) {
    test(`the ${4 * bm}×${4 * bn} tile, forced, on shapes with edges everywhere`, async () => {
      await checkEdges(EDGE_SHAPES, { tiles: { bm, bn, wx: 2, wy: 4 } });
    });
  }
});
