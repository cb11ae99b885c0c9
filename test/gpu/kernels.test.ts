// Every kernel against the float64 CPU reference under the tolerance policy (docs/verification.md):
// odd shapes (1×1, primes, the tile size ±1, K ≥ 4096), special values, and a guard band of
// sentinels past each output's logical end that must come back untouched.

import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu/ops.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { matmul, matmulTile } from '../../src/kernels/matmul.js';
import { activate, activate2deriv } from '../../src/kernels/activate.js';
import { relu as reluActivation } from '../../src/ops/activations/relu.js';
const relu = (ctx: GpuContext, label: string, layer: GPUBuffer, count: number) => activate(ctx, label, reluActivation, layer, count);
const relu2deriv = (ctx: GpuContext, label: string, layer: GPUBuffer, delta: GPUBuffer, count: number) => activate2deriv(ctx, label, reluActivation, layer, delta, count);
import { outputDelta } from '../../src/kernels/outputDelta.js';
import { update } from '../../src/kernels/update.js';
import { batchStride, batchTable, gather } from '../../src/kernels/gather.js';
import {
  compareExact,
  compareExactEither,
  compareReduction,
  compareUpdate,
  flushSubnormals,
  compareUlp,
  describeComparison,
  type Comparison,
} from '../../src/verify/tolerance.js';
import { guardIntact, randomValues, runDispatch, useGpu, withGuard, withMaxGroups } from '../helpers/gpu.js';

const gpu = useGpu();

function expectOk(what: string, c: Comparison): void {
  // The message lists the first mismatches with both values and the bound.
  expect(c.ok, describeComparison(what, c)).toBe(true);
}

async function gpuMatmul(
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  transposeA: boolean,
  transposeB: boolean,
  maxGroups?: number,
): Promise<Float32Array> {
  // A lower workgroup limit than the device's makes the dispatch fold its rows into z.
  const ctx = maxGroups === undefined ? gpu() : withMaxGroups(gpu(), maxGroups);
  const ba = ctx.storage('a', a);
  const bb = ctx.storage('b', b);
  const bc = ctx.storage('c', withGuard(M * N));
  const d = await matmul(ctx, { label: 'test matmul', a: ba, b: bb, c: bc, M, K, N, transposeA, transposeB });
  if (maxGroups !== undefined) expect(d.workgroups[2], 'the grid has more than one layer').toBeGreaterThan(1);
  await runDispatch(ctx, d);
  const out = await ctx.read(bc);
  for (const buffer of [ba, bb, bc, ...d.owned]) ctx.destroyBuffer(buffer);
  expect(guardIntact(out.subarray(0, M * N + 37), M * N), 'guard band past c is untouched').toBe(true);
  return out.subarray(0, M * N);
}

const FORMS = [
  { name: 'layer · W', transposeA: false, transposeB: false },
  { name: 'delta · Wᵀ', transposeA: false, transposeB: true },
  { name: 'layerᵀ · delta', transposeA: true, transposeB: false },
] as const;

describe('matmul, all three forms', () => {
  test('the workgroup tile is 8 on this adapter (shapes below straddle it)', () => {
    expect(matmulTile(gpu())).toBe(8);
  });

  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [13, 1, 1],
    [1, 1, 13],
    [1, 7, 1],
    [7, 13, 31],
    [31, 7, 13],
    [7, 8, 9],
    [9, 8, 7],
    [8, 8, 8],
    [15, 16, 17],
    [17, 16, 15],
    [63, 64, 65],
    [127, 3, 2],
    [2, 127, 3],
    [3, 2, 127],
    [1, 4099, 3],
    [5, 4096, 2],
    [100, 784, 128],
  ];
  for (const form of FORMS) {
    for (const [M, K, N] of shapes) {
      test(`${form.name}: M=${M} K=${K} N=${N}`, async () => {
        const a = randomValues(M * K, M * 7 + K);
        const b = randomValues(K * N, N * 13 + K);
        const got = await gpuMatmul(a, b, M, K, N, form.transposeA, form.transposeB);
        const ref = new Float64Array(M * N);
        cpu.matmul(a, b, ref, M, K, N, form.transposeA, form.transposeB);
        const scale = cpu.matmulAbs(a, b, M, K, N, form.transposeA, form.transposeB);
        expectOk(`c = ${form.name}`, compareReduction(got, ref, scale, K));
      });
    }
  }

  test('more rows than the workgroup limit allows down: the grid folds into z (row = id.y + id.z · groups.y · 8)', async () => {
    // At most 4 workgroups per dimension: 100 rows need 13 down, so 4 layers of 4 (3 past the end).
    for (const form of FORMS) {
      const [M, K, N] = form.transposeA ? [40, 100, 20] : [100, 5, 20];
      const a = randomValues(M * K, 3);
      const b = randomValues(K * N, 4);
      const got = await gpuMatmul(a, b, M, K, N, form.transposeA, form.transposeB, 4);
      const ref = new Float64Array(M * N);
      cpu.matmul(a, b, ref, M, K, N, form.transposeA, form.transposeB);
      expectOk(`c = ${form.name}, folded`, compareReduction(got, ref, cpu.matmulAbs(a, b, M, K, N, form.transposeA, form.transposeB), K));
    }
  });

  test('special values: zeros, all negative, sums that cancel, large magnitudes', async () => {
    const M = 5;
    const K = 6;
    const N = 3;
    const cases: [string, Float32Array, Float32Array][] = [
      ['zeros', new Float32Array(M * K), randomValues(K * N)],
      ['all negative', randomValues(M * K).map((x) => -Math.abs(x) - 0.1), randomValues(K * N).map((x) => -Math.abs(x))],
      // Row i of a is [1e4, 1, -1e4, ...]: the big terms cancel exactly, leaving the small ones.
      ['cancelling', Float32Array.from({ length: M * K }, (_, i) => (i % 3 === 0 ? 1e4 : i % 3 === 1 ? 1 : -1e4)), new Float32Array(K * N).fill(1)],
      ['large', randomValues(M * K).map((x) => x * 1e18), randomValues(K * N).map((x) => x * 1e18)],
    ];
    for (const [name, a, b] of cases) {
      const got = await gpuMatmul(a, b, M, K, N, false, false);
      const ref = new Float64Array(M * N);
      cpu.matmul(a, b, ref, M, K, N);
      expectOk(`matmul ${name}`, compareReduction(got, ref, cpu.matmulAbs(a, b, M, K, N), K));
    }
  });
});

const SPECIAL = Float32Array.from([
  0, -0, 1, -1, 0.5, -0.5, 1e-40, -1e-40, 1.5e-45, 2 ** -126, -(2 ** -126), 3e38, -3e38, 1e-20, -7.25,
]);

describe('relu', () => {
  for (const count of [1, 7, 63, 64, 65, 1000]) {
    test(`${count} values`, async () => {
      const ctx = gpu();
      const values = randomValues(count, count);
      values.set(SPECIAL.subarray(0, Math.min(count, SPECIAL.length)));
      const layer = ctx.storage('layer', withGuard(values));
      const d = await relu(ctx, 'relu', layer, count);
      await runDispatch(ctx, d);
      const out = await ctx.read(layer);
      const ref = Float64Array.from(values);
      cpu.relu(ref);
      expectOk('relu', compareExact(out.subarray(0, count), ref));
      expect(guardIntact(out, count)).toBe(true);
      // Exactly 0 stays 0 (the seed's (x > 0) * x).
      if (count >= 2) expect(Math.abs(out[0]!) + Math.abs(out[1]!)).toBe(0);
      for (const b of [layer, ...d.owned]) ctx.destroyBuffer(b);
    });
  }
});

describe('relu2deriv', () => {
  for (const count of [1, 13, 64, 65, 777]) {
    test(`${count} values, zero at the kink gives derivative 0`, async () => {
      const ctx = gpu();
      const layerValues = randomValues(count, 3 * count);
      layerValues.set(SPECIAL.subarray(0, Math.min(count, SPECIAL.length)));
      const deltaValues = randomValues(count, 5 * count).map((x) => x + 2);
      const layer = ctx.storage('layer', layerValues);
      const delta = ctx.storage('delta', withGuard(deltaValues));
      const d = await relu2deriv(ctx, 'relu2deriv', layer, delta, count);
      await runDispatch(ctx, d);
      const out = await ctx.read(delta);
      const ref = Float64Array.from(deltaValues);
      cpu.relu2deriv(layerValues, ref);
      // A subnormal layer value may reach the kernel as 0, whose derivative is 0.
      const refFlushed = Float64Array.from(deltaValues);
      cpu.relu2deriv(flushSubnormals(layerValues), refFlushed);
      expectOk('relu2deriv', compareExactEither(out.subarray(0, count), ref, refFlushed));
      expect(guardIntact(out, count)).toBe(true);
      if (count >= 2) {
        expect(out[0]).toBe(0); // layer 0 → derivative 0
        expect(out[1]).toBe(0); // layer -0 → derivative 0
      }
      for (const b of [layer, delta, ...d.owned]) ctx.destroyBuffer(b);
    });
  }
});

describe('output_delta', () => {
  for (const count of [1, 3, 255, 256, 257, 1000, 5003]) {
    test(`${count} outputs: delta = prediction - goal, error = Σ delta²`, async () => {
      const ctx = gpu();
      const prediction = randomValues(count, count + 1);
      const goalValues = randomValues(count, count + 2).map((x) => (x > 0 ? 1 : 0));
      const p = ctx.storage('prediction', prediction);
      const g = ctx.storage('goal', goalValues);
      const delta = ctx.storage('delta', withGuard(count));
      const error = ctx.storage('error', [0.25]); // accumulates onto what is there
      const d = await outputDelta(ctx, 'output_delta', { prediction: p, goal: g, delta, error }, count);
      await runDispatch(ctx, d);
      const gotDelta = await ctx.read(delta);
      const gotError = await ctx.read(error);
      const refDelta = new Float64Array(count);
      const refError = cpu.outputDelta(prediction, goalValues, refDelta) + 0.25;
      // One subtraction, correctly rounded: within 1 ULP.
      expectOk('delta', compareUlp(gotDelta.subarray(0, count), refDelta, 1));
      expect(guardIntact(gotDelta, count)).toBe(true);
      // A length-(count + 1) reduction whose terms are the squares.
      expectOk('error', compareReduction(gotError, [refError], [refError], count + 1));
      for (const b of [p, g, delta, error, ...d.owned]) ctx.destroyBuffer(b);
    });
  }

  test('the same inputs give the same bits (fixed summation order)', async () => {
    const ctx = gpu();
    const count = 4097;
    const p = ctx.storage('prediction', randomValues(count, 9));
    const g = ctx.storage('goal', randomValues(count, 10));
    const delta = ctx.storage('delta', count);
    const results: number[] = [];
    for (let run = 0; run < 3; run++) {
      const error = ctx.storage('error', 1);
      const d = await outputDelta(ctx, 'output_delta', { prediction: p, goal: g, delta, error }, count);
      await runDispatch(ctx, d);
      results.push((await ctx.read(error))[0]!);
      for (const b of [error, ...d.owned]) ctx.destroyBuffer(b);
    }
    expect(new Set(results).size).toBe(1);
    for (const b of [p, g, delta]) ctx.destroyBuffer(b);
  });
});

describe('update', () => {
  for (const [count, scale] of [
    [1, 0.2],
    [12, 0.1],
    [65, Math.fround(0.2 / 3)],
    [100_352, Math.fround(0.01 / 100)],
  ] as const) {
    test(`${count} weights, scale ${scale}: within 2 ULP`, async () => {
      const ctx = gpu();
      const w = randomValues(count, count);
      const g = randomValues(count, count + 5).map((x) => x * 3);
      const weights = ctx.storage('weights', withGuard(w));
      const grad = ctx.storage('weight_delta', g);
      const d = await update(ctx, 'update', grad, weights, count, scale);
      await runDispatch(ctx, d);
      const out = await ctx.read(weights);
      const ref = Float64Array.from(w);
      cpu.update(g, ref, scale);
      expectOk('update', compareUpdate(out.subarray(0, count), ref, scale, g));
      expect(guardIntact(out, count)).toBe(true);
      for (const b of [weights, grad, ...d.owned]) ctx.destroyBuffer(b);
    });
  }
});

describe('gather', () => {
  // Rows longer than a workgroup (each invocation copies several columns), and rows past the
  // device's workgroups per dimension (the grid goes on along z).
  test.each([
    { inputSize: 5, outputSize: 2, maxGroups: undefined },
    { inputSize: 37, outputSize: 19, maxGroups: 2 },
  ])('each batch copies its rows, in the given order, exactly: $inputSize inputs, $outputSize targets, at most $maxGroups workgroups down', async ({ inputSize, outputSize, maxGroups }) => {
    const ctx = maxGroups ? withMaxGroups(gpu(), maxGroups) : gpu();
    const rows = 11;
    const inputs = randomValues(rows * inputSize, 21);
    const targets = randomValues(rows * outputSize, 22);
    const order = Uint32Array.from([3, 7, 0, 10, 1, 2, 9, 4, 8, 6, 5]);
    const batches = [
      { start: 0, rows: 4 },
      { start: 4, rows: 4 },
      { start: 8, rows: 3 },
    ];
    const bufs = {
      batches: batchTable(ctx, 'batches', batches, inputSize, outputSize),
      order: ctx.createBuffer('order', order.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
      inputs: ctx.storage('inputs', inputs),
      targets: ctx.storage('targets', targets),
      layer0: ctx.storage('layer_0', withGuard(4 * inputSize)),
      goal: ctx.storage('goal', withGuard(4 * outputSize)),
      shifts: ctx.storage('shifts', 2),
    };
    ctx.device.queue.writeBuffer(bufs.order, 0, order);
    for (const [b, batch] of batches.entries()) {
      const d = await gather(ctx, 'gather', bufs, batch.rows, inputSize, outputSize);
      await runDispatch(ctx, d, [b * batchStride(ctx)]);
      const layer0 = await ctx.read(bufs.layer0);
      const goal = await ctx.read(bufs.goal);
      const wantInputs: number[] = [];
      const wantTargets: number[] = [];
      for (let r = 0; r < batch.rows; r++) {
        const row = order[batch.start + r]!;
        wantInputs.push(...inputs.subarray(row * inputSize, (row + 1) * inputSize));
        wantTargets.push(...targets.subarray(row * outputSize, (row + 1) * outputSize));
      }
      expectOk(`layer_0 of batch ${b}`, compareExact(layer0.subarray(0, wantInputs.length), wantInputs));
      expectOk(`goal of batch ${b}`, compareExact(goal.subarray(0, wantTargets.length), wantTargets));
      expect(guardIntact(layer0, 4 * inputSize)).toBe(true);
      expect(guardIntact(goal, 4 * outputSize)).toBe(true);
    }
    for (const b of Object.values(bufs)) ctx.destroyBuffer(b);
  });

  // Images narrower and wider than a workgroup, each moved by its own (dx, dy), pixels from outside 0.
  test.each([
    { width: 3, height: 4 },
    { width: 19, height: 3 },
  ])('shifted images: $width × $height pixels', async ({ width, height }) => {
    const ctx = gpu();
    const rows = 5;
    const inputSize = width * height;
    const inputs = randomValues(rows * inputSize, 23);
    const targets = randomValues(rows * 2, 24);
    const order = Uint32Array.from([4, 0, 3, 1, 2]);
    const shifts = Int32Array.from([1, 0, -1, 2, 0, 0, 2, -1, -2, -2]);
    const bufs = {
      batches: batchTable(ctx, 'batches', [{ start: 0, rows }], inputSize, 2, inputSize, 2, width),
      order: ctx.createBuffer('order', order.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
      inputs: ctx.storage('inputs', inputs),
      targets: ctx.storage('targets', targets),
      layer0: ctx.storage('layer_0', withGuard(rows * inputSize)),
      goal: ctx.storage('goal', withGuard(rows * 2)),
      shifts: ctx.createBuffer('shifts', shifts.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
    };
    ctx.device.queue.writeBuffer(bufs.order, 0, order);
    ctx.device.queue.writeBuffer(bufs.shifts, 0, shifts);
    await runDispatch(ctx, await gather(ctx, 'gather', bufs, rows, inputSize, 2), [0]);
    const layer0 = await ctx.read(bufs.layer0);
    const want: number[] = [];
    for (let r = 0; r < rows; r++) {
      const example = order[r]!;
      const [dx, dy] = [shifts[2 * example]!, shifts[2 * example + 1]!];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const [sx, sy] = [x - dx, y - dy];
          want.push(sx < 0 || sy < 0 || sx >= width || sy >= height ? 0 : inputs[example * inputSize + sy * width + sx]!);
        }
      }
    }
    expectOk('layer_0', compareExact(layer0.subarray(0, want.length), want));
    expect(guardIntact(layer0, rows * inputSize)).toBe(true);
    for (const b of Object.values(bufs)) ctx.destroyBuffer(b);
  });
});

describe('the tolerance policy catches wrong results', () => {
  test('a matmul result off by one part in 10⁴ fails, and the report names the index', () => {
    const M = 4;
    const K = 8;
    const N = 3;
    const a = randomValues(M * K, 1);
    const b = randomValues(K * N, 2);
    const ref = new Float64Array(M * N);
    cpu.matmul(a, b, ref, M, K, N);
    const wrong = Float32Array.from(ref);
    wrong[5] = wrong[5]! * (1 + 1e-4) + 1e-4;
    const c = compareReduction(wrong, ref, cpu.matmulAbs(a, b, M, K, N), K);
    expect(c.ok).toBe(false);
    expect(c.count).toBe(1);
    expect(describeComparison('c', c)).toMatch(/\[5\] gpu/);
  });

  test('relu letting a negative through fails', () => {
    expect(compareExact([0, -0.5], [0, 0]).ok).toBe(false);
    expect(compareExact([-0, 0], [0, -0]).ok).toBe(true); // the sign of zero is not compared
    expect(compareExact([0], [1e-40]).ok).toBe(true); // a subnormal may be flushed
  });

  test('an update 3 ULP off fails the 2-ULP rule', () => {
    // w = 0.75, scale·g = 2⁻¹⁰: one ULP of each is 2⁻²⁴ and 2⁻³⁴.
    const ref = [0.75 - 2 ** -10];
    expect(compareUpdate([ref[0]! + 3 * 2 ** -24], ref, 1, [2 ** -10]).ok).toBe(false);
    expect(compareUpdate([ref[0]! + 2 ** -24], ref, 1, [2 ** -10]).ok).toBe(true);
  });
});
