// The fast matmul's variants staged in workgroup memory (tiled T×T, tiled 128×128 in both
// layouts, split-K 16 and 4 ways), every form and epilogue, against the float64 reference under
// the tolerance policy: odd sizes, shapes of more than one block each way, sums that end part-way
// through a slice, and grids folded into z.

import { describe, test } from 'vitest';
import { SPLIT_WAYS } from '../../src/kernels/matmulFast/variants.js';
import { check, checkEdges, checkEveryEpilogue, ODD_SHAPES } from '../helpers/fastMatmul.js';

describe('matmul_fast staged in workgroup memory', () => {
  const oddShapes = ODD_SHAPES;

  // The workgroup-tiled variant, both workgroup sides, every form and epilogue, on odd sizes.
  for (const side of [8, 16] as const) {
    for (const [M, K, N] of oddShapes) {
      test(`tiled ${side}×${side}, M=${M} K=${K} N=${N}: every form and epilogue`, async () => {
        await checkEveryEpilogue(M, K, N, { variant: { kind: 'tiled', side } });
      });
    }
  }

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

});
