// The fast matmul in its three forms and four epilogues, against the float64 reference under the
// tolerance policy: the register-blocked and quad variants on odd batch sizes and sizes that are
// not multiples of the register tile, the tiles, and the tuner. The variants staged in workgroup
// memory are in kernels_staged.test.ts.

import { describe, expect, test } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.js';
import { candidates, type Variant } from '../../src/kernels/matmulFast/variants.js';
import { chooseTiles, QUAD_TILE_ORDER, quadTiles, TILE_ORDER, type Tiles } from '../../src/kernels/matmulFast/tiles.js';
import { matmulFast } from '../../src/kernels/matmulFast/build.js';
import { matmulFastFor } from '../../src/kernels/matmulFast/tuner.js';
import { check, checkEdges, checkEveryEpilogue, EDGE_SHAPES, gpu, ODD_SHAPES, SHAPES } from '../helpers/fastMatmul.js';

describe('matmul_fast', () => {
  const shapes = SHAPES;
  const oddShapes = ODD_SHAPES;
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
