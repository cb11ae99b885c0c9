// What every activation is tested for, so that adding one is its module, its shader and a test
// file that calls this: its kernels (alone and fused into the fast matmul) against float64 on odd
// shapes under the tolerance policy, its derivative against centred differences, and whole runs
// on every plan checked against the CPU after every step.

import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu/ops.js';
import { CpuNetwork } from '../../src/cpu/network.js';
import { datasetFromRows } from '../../src/data/dataset.js';
import { streetlights, streetlights4 } from '../../src/data/streetlights.js';
import { activate, activate2deriv } from '../../src/kernels/activate.js';
import { matmulFast } from '../../src/kernels/matmulFast/build.js';
import { pad4 } from '../../src/net/spec.js';
import { seededWeights } from '../../src/net/init.js';
import type { Activation } from '../../src/ops/activations/activation.js';
import { resolveConfig, type ConfigInput } from '../../src/train/config.js';
import { train } from '../../src/train/run.js';
import { compareBounds, compareExactEither, describeComparison, flushSubnormals, FLOAT32_EPSILON } from '../../src/verify/tolerance.js';
import { guardIntact, randomValues, runDispatch, useGpu, withGuard } from './gpu.js';
import type { RunFixture } from '../fixtures/numpy.js';
import { CpuExecutor } from '../../src/train/cpuExecutor.js';
import { GpuTrainer } from '../../src/train/gpuTrainer.js';
import { errorLine } from '../../src/train/format.js';
import { compareRelative } from '../../src/verify/tolerance.js';
import { main } from '../../src/cli/main.js';
import { testIO } from './cli.js';
import type { GpuContext } from '../../src/gpu/context.js';

/** Odd element counts: 1, primes, a workgroup ± 1, and past 4,096. */
const COUNTS = [1, 7, 13, 63, 64, 65, 127, 4099];

/** Inputs for an activation: random values over [−8, 8), exact zeros, and a few large magnitudes. */
function inputs(count: number, seed: number): Float32Array {
  const out = randomValues(count, seed).map((v) => v * 8);
  if (count > 3) out.set([0, -0, 60], count - 3);
  if (count > 6) out.set([-60, 1e-30, -1e-30], count - 6);
  return out;
}

export interface NumpyRun {
  /** What numpy printed and computed (test/fixtures/numpy_fixtures.py). */
  fixture: RunFixture;
  /** The run's settings beyond the seed's two-layer program. */
  input: Partial<ConfigInput>;
  /** The CPU prints numpy's lines digit for digit; else its errors are within 1e-12 relative. */
  exact: boolean;
}

export function activationSuite(activation: Activation, numpyRun?: NumpyRun): void {
  const gpu = useGpu();
  if (numpyRun) numpySuite(activation, numpyRun, gpu);
  const exact = activation.tolerance(1) === 0;

  describe(`${activation.name}: kernels against float64`, () => {
    for (const count of COUNTS) {
      test(`layer = ${activation.name}(layer), ${count} values`, async () => {
        const ctx = gpu();
        const x = inputs(count, count);
        const layer = ctx.storage('layer', withGuard(x));
        const d = await activate(ctx, activation.name, activation, layer, count);
        await runDispatch(ctx, d);
        const out = await ctx.read(layer);
        const ref = Float64Array.from(x, activation.forward);
        const c = exact
          ? compareExactEither(out.subarray(0, count), ref, Float64Array.from(flushSubnormals(x), activation.forward))
          : compareBounds(out.subarray(0, count), ref, Float64Array.from(x, activation.tolerance));
        expect(c.ok, describeComparison(activation.name, c)).toBe(true);
        expect(guardIntact(out, count)).toBe(true);
        ctx.destroyBuffer(layer);
      });

      test(`delta *= ${activation.name}2deriv(layer), ${count} values`, async () => {
        const ctx = gpu();
        // Outputs as the forward pass makes them (in the activation's range), rounded to float32.
        const output = Float32Array.from(inputs(count, count + 1), activation.forward);
        const delta = randomValues(count, count + 2);
        const gl = ctx.storage('layer', output);
        const gd = ctx.storage('delta', withGuard(delta));
        await runDispatch(ctx, await activate2deriv(ctx, `${activation.name}2deriv`, activation, gl, gd, count));
        const out = await ctx.read(gd);
        const ref = Float64Array.from(delta, (d, i) => d * activation.derivative(output[i]!));
        // A product of one slope (a few roundings of the output) and the delta: 4 ULP of |delta|, and 1 of the result.
        const bounds = Float64Array.from(ref, (r, i) => (exact ? 0 : 4 * FLOAT32_EPSILON * Math.abs(delta[i]!) + FLOAT32_EPSILON * Math.abs(r)));
        const c = exact
          ? compareExactEither(out.subarray(0, count), ref, Float64Array.from(delta, (d, i) => d * activation.derivative(flushSubnormals([output[i]!])[0]!)))
          : compareBounds(out.subarray(0, count), ref, bounds);
        expect(c.ok, describeComparison(`${activation.name}2deriv`, c)).toBe(true);
        expect(guardIntact(out, count)).toBe(true);
        ctx.destroyBuffer(gl);
        ctx.destroyBuffer(gd);
      });
    }

    for (const [M, K, N] of [
      [1, 3, 4],
      [7, 13, 5],
      [33, 31, 17],
    ] as const) {
      test(`fused into matmul_fast: forward and backward, M=${M} K=${K} N=${N}`, async () => {
        const ctx = gpu();
        const a = randomValues(M * K, M + K);
        const w = randomValues(K * N, K + N).map((v) => v * 2);
        const mask = Float32Array.from(randomValues(M * K, 5), (v) => Math.fround(activation.forward(v * 4)));
        const pad = (values: ArrayLike<number>, rows: number, cols: number, height = rows): Float32Array => {
          const out = new Float32Array(height * pad4(cols));
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * pad4(cols) + c] = values[r * cols + c]!;
          return out;
        };
        const unpad = (values: ArrayLike<number>, rows: number, cols: number): Float64Array =>
          Float64Array.from({ length: rows * cols }, (_, i) => values[Math.floor(i / cols) * pad4(cols) + (i % cols)]!);
        const unused = ctx.storage('unused', 4);
        const unusedBias = ctx.storage('unusedBias', 4);
        // forward: c = activation(a · w), a (M, K), w (K, N).
        const ga = ctx.storage('a', pad(a, M, K));
        const gw = ctx.storage('w', pad(w, K, N, pad4(K)));
        const gc = ctx.storage('c', M * pad4(N));
        await runDispatch(
          ctx,
          await matmulFast(ctx, { label: 'fwd', form: 'forward', epilogue: 'activate', activation, a: ga, b: gw, c: gc, unusedMask: unused, unusedBias, M, K: pad4(K), N: pad4(N), columns: N }),
        );
        const product = new Float64Array(M * N);
        cpu.matmul(a, w, product, M, K, N);
        const absSum = cpu.matmulAbs(a, w, M, K, N);
        const sumBound = (i: number): number => K * 2 ** -126 + 2 * K * FLOAT32_EPSILON * absSum[i]!;
        // The activation's slope is at most 1: the sum's error passes through, plus its own.
        const raw = await ctx.read(gc);
        // The padding columns stay 0 even where the activation of 0 is not (sigmoid(0) = 0.5).
        for (let r = 0; r < M; r++) for (let c = N; c < pad4(N); c++) expect(raw[r * pad4(N) + c], `padding (${r}, ${c})`).toBe(0);
        const fwd = compareBounds(
          unpad(raw, M, N),
          Float64Array.from(product, activation.forward),
          Float64Array.from(product, (p, i) => sumBound(i) + activation.tolerance(p)),
        );
        expect(fwd.ok, describeComparison(`forward ${activation.name}`, fwd)).toBe(true);
        // backward: c = (d · wᵀ) * activation2deriv(mask), d (M, N), w (K, N) read as (N, K)ᵀ.
        const d = randomValues(M * N, 11);
        const gd = ctx.storage('d', pad(d, M, N));
        const gm = ctx.storage('mask', pad(mask, M, K));
        const gb = ctx.storage('back', M * pad4(K));
        await runDispatch(
          ctx,
          await matmulFast(ctx, { label: 'back', form: 'backward', epilogue: 'activate2deriv', activation, a: gd, b: gw, c: gb, mask: gm, unusedMask: unused, unusedBias, M, K: pad4(N), N: pad4(K) }),
        );
        const back = new Float64Array(M * K);
        cpu.matmul(d, w, back, M, N, K, false, true);
        const backAbs = cpu.matmulAbs(d, w, M, N, K, false, true);
        const slope = Float64Array.from({ length: M * K }, (_, i) => activation.derivative(mask[i]!));
        const bwd = compareBounds(
          unpad(await ctx.read(gb), M, K),
          Float64Array.from(back, (v, i) => v * slope[i]!),
          Float64Array.from(back, (v, i) => (N * 2 ** -126 + 2 * N * FLOAT32_EPSILON * backAbs[i]!) * Math.abs(slope[i]!) + 4 * FLOAT32_EPSILON * Math.abs(v)),
        );
        expect(bwd.ok, describeComparison(`backward ${activation.name}2deriv`, bwd)).toBe(true);
        for (const b of [ga, gw, gc, gd, gm, gb, unused, unusedBias]) ctx.destroyBuffer(b);
      });
    }
  });

  test(`${activation.name}2deriv is the slope of ${activation.name}: every weight's gradient against centred differences (float64)`, () => {
    // A 3-5-4-2 net on 3 rows: the analytic weight_delta is ∂(½ Σ (prediction − goal)²) / ∂w.
    const layers = [3, 5, 4, 2];
    const weights = seededWeights(layers, 3);
    const x = randomValues(9, 21);
    const goal = randomValues(6, 22);
    const net = new CpuNetwork(layers, weights, 3, { activation });
    net.gradients(x, goal, 3);
    const h = 1e-6;
    let worst = 0;
    weights.forEach((w, l) => {
      for (let k = 0; k < w.length; k++) {
        const at = (value: number): number => {
          const moved = weights.map((m) => Float64Array.from(m));
          moved[l]![k] = value;
          return new CpuNetwork(layers, moved, 3, { activation }).gradients(x, goal, 3) / 2;
        };
        const numeric = (at(w[k]! + h) - at(w[k]! - h)) / (2 * h);
        const analytic = net.weightDeltas[l]![k]!;
        const scale = Math.abs(analytic) + Math.abs(numeric);
        if (scale > 1e-9) worst = Math.max(worst, Math.abs(analytic - numeric) / scale);
      }
    });
    expect(worst).toBeLessThan(1e-6);
  });

  describe(`${activation.name}: whole runs, GPU against the CPU after every step`, () => {
    const runs: [string, () => ReturnType<typeof streetlights>, Partial<ConfigInput>][] = [
      ['the seed\'s two-layer program, stochastic', streetlights4, {}],
      ['mini-batch of 4 on the six streetlights (last batch 2)', streetlights, { mode: 'batch', batchSize: 4 }],
      ['3-8-5-1, full', streetlights, { layers: [3, 8, 5, 1], mode: 'full' }],
    ];
    for (const plan of ['teaching', 'fast', 'resident'] as const) {
      for (const [name, data, input] of runs) {
        test(`${plan} plan: ${name}`, async () => {
          const dataset = data();
          const config = resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations: 30, seed: 1, activation: activation.name, ...input }, dataset);
          const result = await train({ config, dataset, weights: seededWeights(config.layers, 1), ctx: gpu(), check: true, plan });
          expect(result.check!.ok, result.check!.firstFailure).toBe(true);
          expect(result.errors).toHaveLength(30);
          expect(result.errors.at(-1)!.error).toBeLessThan(result.errors[0]!.error);
        });
      }
    }
    test('fast plan with biases and softmax on 3 classes', async () => {
      const dataset = datasetFromRows(
        'three',
        Array.from({ length: 12 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, (i % 4) / 4]),
        Array.from({ length: 12 }, (_, i) => [0, 1, 2].map((c) => (c === i % 3 ? 1 : 0))),
      );
      const config = resolveConfig(
        { layers: [3, 6, 3], alpha: 0.3, iterations: 20, seed: 2, mode: 'batch', batchSize: 5, loss: 'softmax', bias: true, activation: activation.name },
        dataset,
      );
      const result = await train({ config, dataset, weights: seededWeights(config.layers, 2).concat([new Float64Array(6), new Float64Array(3)]), ctx: gpu(), check: true, plan: 'fast' });
      expect(result.check!.ok, result.check!.firstFailure).toBe(true);
    });
  });
}

/** The seed's two-layer program with this activation, against what numpy printed for it. */
function numpySuite(activation: Activation, run: NumpyRun, gpu: () => GpuContext): void {
  describe(`${activation.name}: the seed's two-layer program against numpy`, () => {
    const dataset = streetlights4();
    const config = resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations: 60, seed: 1, logEvery: 10, activation: activation.name, ...run.input }, dataset);
    const printed = (errors: { iteration: number; error: number }[]): string[] => errors.filter((e) => e.iteration % 10 === 9).map((e) => errorLine(e.error, false));

    test(run.exact ? "the CPU prints numpy's lines digit for digit" : "the CPU's errors are numpy's within 1e-12 (JavaScript's exp rounds differently from the C library's in the last bit)", () => {
      const cpu = new CpuExecutor(config, dataset, seededWeights(config.layers, 1));
      const errors = cpu.runIterations(config.iterations);
      if (run.exact) {
        expect(printed(errors)).toEqual(run.fixture.printed);
      } else {
        const c = compareRelative(errors.map((e) => e.error), run.fixture.errors, 1e-12);
        expect(c.ok, describeComparison('errors', c)).toBe(true);
      }
    });

    if (run.exact) {
      test(`backprop train --cpu --activation ${activation.name} prints numpy's lines`, async () => {
        const out: string[] = [];
        const args = ['train', '--cpu', '--activation', activation.name];
        for (const [key, value] of Object.entries(run.input)) args.push(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value));
        const code = await main(args, testIO({ out: (line) => out.push(line), err: () => undefined }));
        expect(code).toBe(0);
        expect(out).toEqual(run.fixture.printed);
      });
    }

    test('the GPU (teaching plan) is within 1e-4 of numpy at every iteration', async () => {
      const t = await GpuTrainer.create(gpu(), config, dataset, seededWeights(config.layers, 1));
      const errors = (await t.runIterations(config.iterations)).map((e) => e.error);
      t.destroy();
      const c = compareRelative(errors, run.fixture.errors, 1e-4);
      expect(c.ok, describeComparison('error per iteration', c)).toBe(true);
    });
  });
}
