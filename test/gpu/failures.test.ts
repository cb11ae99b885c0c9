// The failure list of docs/verification.md, in the library: each case is a typed error with a clear
// message, raised before GPU work where it can be, and nothing the user trained is lost.

import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu/ops.js';
import { CpuNetwork } from '../../src/cpu/network.js';
import { datasetFromRows } from '../../src/data/dataset.js';
import { streetlights, streetlights4 } from '../../src/data/streetlights.js';
import {
  AdapterUnavailableError,
  DataError,
  DeviceLostError,
  DivergenceError,
  GpuError,
  LimitExceededError,
  OptionError,
  ShaderCompileError,
  WebGPUUnavailableError,
} from '../../src/errors.js';
import { createGpuContext, type GpuContext } from '../../src/gpu/context.js';
import { createNodeGpuContext } from '../../src/gpu/node.js';
import { kernel } from '../../src/gpu/kernel.js';
import { grid1d, grid2d, workgroupSize } from '../../src/gpu/dispatch.js';
import { matmulTile } from '../../src/kernels/matmul.js';
import { activate } from '../../src/kernels/activate.js';
import { relu as reluActivation } from '../../src/ops/activations/relu.js';
const relu = (ctx: GpuContext, label: string, layer: GPUBuffer, count: number) => activate(ctx, label, reluActivation, layer, count);
import { seededWeights } from '../../src/net/init.js';
import { initialWeights, resolveConfig, type ConfigInput, type TrainConfig } from '../../src/train/config.js';
import { GpuTrainer } from '../../src/train/gpuTrainer.js';
import { lastCheckpoint } from '../../src/train/divergence.js';
import { train } from '../../src/train/run.js';
import { compareExact, compareReduction, describeComparison } from '../../src/verify/tolerance.js';
import { guardIntact, randomValues, runDispatch, useGpu, withGuard } from '../helpers/gpu.js';

const gpu = useGpu();

function twoLayer(input: Partial<ConfigInput> = {}): TrainConfig {
  return resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations: 60, seed: 1, logEvery: 10, ...input }, streetlights4());
}

/** A context whose device limits are what `limits` says: for the limit arithmetic, no GPU needed. */
function fakeContext(limits: Partial<GPUSupportedLimits>): GpuContext {
  return {
    limits: {
      maxComputeWorkgroupsPerDimension: 65535,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupSizeY: 256,
      ...limits,
    },
  } as unknown as GpuContext;
}

describe('environment and device', () => {
  test('1. no navigator.gpu: WebGPUUnavailableError says how to get WebGPU', async () => {
    await expect(createGpuContext(undefined)).rejects.toThrow(WebGPUUnavailableError);
    await expect(createGpuContext(undefined)).rejects.toThrow(/navigator\.gpu is undefined/);
  });

  test('2. requestAdapter() returns null: AdapterUnavailableError with what to install', async () => {
    const none = { requestAdapter: async () => null } as unknown as GPU;
    const error = await createGpuContext(none).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterUnavailableError);
    expect((error as AdapterUnavailableError).describe()).toMatch(/returned null.*libvulkan1 and chromium/);
  });

  test('3. a limit above the adapter: refused before the device is made, naming the limit', async () => {
    const { nodeGpu } = await import('../../src/gpu/node.js');
    const error = await createGpuContext(await nodeGpu(), { maxBufferSize: 2 ** 40 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).limit).toBe('maxBufferSize');
    expect((error as Error).message).toMatch(/needs maxBufferSize = 1099511627776, but this adapter allows at most \d+/);
  });

  test('4a. a device lost before a run: DeviceLostError with the reason', async () => {
    const ctx = await createNodeGpuContext();
    ctx.device.destroy();
    await ctx.device.lost;
    const error = await GpuTrainer.create(ctx, twoLayer(), streetlights4(), seededWeights([3, 4, 1], 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as DeviceLostError).reason).toBe('destroyed');
    expect((error as DeviceLostError).describe()).toMatch(/lost \(destroyed\).*last weights read back are kept/);
  });

  test('4b. a device lost during a run: the run goes on from the last checkpoint on a new device, same numbers', async () => {
    const config = twoLayer();
    const weights = seededWeights([3, 4, 1], 1);
    const straight = await train({ config, dataset: streetlights4(), weights, ctx: gpu() });
    let first: GpuContext | undefined = await createNodeGpuContext();
    const resumedFrom: number[] = [];
    const result = await train({
      config,
      dataset: streetlights4(),
      weights,
      ctx: first,
      onCheckpoint: (checkpoint, ctx) => {
        if (checkpoint.iteration === 30 && ctx && ctx === first) {
          first = undefined;
          ctx.device.destroy();
        }
      },
      recover: () => createNodeGpuContext(),
      onRecover: (_lost, checkpoint) => resumedFrom.push(checkpoint.iteration),
    });
    expect(resumedFrom).toEqual([30]);
    expect(result.recoveries).toBe(1);
    expect(result.errors.map((e) => e.iteration)).toEqual([...Array(60).keys()]);
    // Training is deterministic, so resuming from the weights read back loses nothing.
    expect(result.errors).toEqual(straight.errors);
    expect(result.weights).toEqual(straight.weights);
    result.ctx?.destroy();
  });

  test('4c. without a way to recover, the error carries the last weights read back', async () => {
    const ctx = await createNodeGpuContext();
    const error = await train({
      config: twoLayer(),
      dataset: streetlights4(),
      weights: seededWeights([3, 4, 1], 1),
      ctx,
      onCheckpoint: (checkpoint, c) => {
        if (checkpoint.iteration === 20) c?.device.destroy();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    const checkpoint = lastCheckpoint(error)!;
    expect(checkpoint.iteration).toBe(20);
    expect(checkpoint.weights.every((w) => w.every(Number.isFinite))).toBe(true);
  });

  test('5. a validation error inside a step is raised, never silent zeros; so is an uncaptured one', async () => {
    const ctx = gpu();
    const layer = ctx.storage('layer', [1, -2, 3]);
    const d = await relu(ctx, 'relu', layer, 3);
    layer.destroy(); // the dispatch now binds a destroyed buffer
    await expect(runDispatch(ctx, d)).rejects.toThrow(GpuError);
    await expect(ctx.scoped(() => ctx.device.createBuffer({ label: 'bad', size: 4, usage: 0 }))).rejects.toThrow(/WebGPU validation error/);
    ctx.device.createBuffer({ label: 'outside a scope', size: 4, usage: 0 });
    await expect.poll(() => {
      try {
        ctx.assertHealthy();
        return 'healthy';
      } catch (e) {
        return (e as GpuError).kind;
      }
    }).toBe('uncaptured');
    ctx.assertHealthy(); // reported once
  });

  test('6. a WGSL compile error names the shader file, line and column', async () => {
    const broken = { name: 'broken', code: 'override WORKGROUP_SIZE: u32 = 64;\n@compute @workgroup_size(WORKGROUP_SIZE)\nfn main() {\n  let x: f32 = undefined_thing;\n}\n' };
    const error = await kernel(gpu(), broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShaderCompileError);
    expect((error as ShaderCompileError).line).toBe(4);
    expect((error as Error).message).toMatch(/^shaders\/broken\.wgsl:4:\d+: .*undefined_thing/);
  });
});

describe('limits', () => {
  test('7. more than 65,535 workgroups: split into a 2D grid (a matmul into layers along z), refused past that', () => {
    const ctx = fakeContext({});
    expect(grid1d(ctx, 64 * 65535, 64, 'x')).toEqual([65535, 1, 1]);
    expect(grid1d(ctx, 64 * 65535 + 1, 64, 'x')).toEqual([32768, 2, 1]);
    expect(() => grid1d(ctx, 64 * 65535 * 65536, 64, 'huge')).toThrow(/huge needs maxComputeWorkgroupsPerDimension = 65536/);
    expect(grid2d(ctx, 8 * 65535, 3, 8, 8, 'layer_1')).toEqual([1, 65535, 1]);
    expect(grid2d(ctx, 8 * 65536, 3, 8, 8, 'layer_1')).toEqual([1, 32768, 2]);
    expect(grid2d(ctx, 1_200_000, 4, 8, 8, 'layer_1')).toEqual([1, 50000, 3]);
    expect(() => grid2d(ctx, 8 * 65535 * 65536, 3, 8, 8, 'layer_1')).toThrow(LimitExceededError);
  });

  test('7. a relu over 4.2 million values runs as a 2D grid and is exact', async () => {
    const ctx = gpu();
    const count = 64 * 65535 + 4097;
    const values = randomValues(count, 7);
    const layer = ctx.storage('layer', withGuard(values));
    const d = await relu(ctx, 'relu', layer, count);
    expect(d.workgroups[1]).toBe(2);
    await runDispatch(ctx, d);
    const out = await ctx.read(layer);
    const ref = Float64Array.from(values);
    cpu.relu(ref);
    const c = compareExact(out.subarray(0, count), ref);
    expect(c.ok, describeComparison('relu', c)).toBe(true);
    expect(guardIntact(out, count)).toBe(true);
    for (const b of [layer, ...d.owned]) ctx.destroyBuffer(b);
  });

  test('8. a buffer beyond maxStorageBufferBindingSize or maxBufferSize is refused before it is made', () => {
    const ctx = gpu();
    const before = ctx.stats();
    expect(() => ctx.storage('huge', ctx.limits.maxStorageBufferBindingSize / 4 + 1)).toThrow(/buffer huge needs maxStorageBufferBindingSize/);
    expect(() => ctx.createBuffer('huger', ctx.limits.maxBufferSize + 4, GPUBufferUsage.COPY_DST)).toThrow(/buffer huger needs maxBufferSize/);
    expect(ctx.stats()).toEqual(before);
  });

  test('8. a network too big for the adapter is refused when the device is asked for; one too big for memory before any weight is made', async () => {
    const config = resolveConfig({ layers: [3, 20000, 20000, 1], alpha: 0.1, iterations: 1, seed: 1 }, datasetFromRows('d', [[1, 0, 1]], [[1]]));
    const { deviceNeeds } = await import('../../src/train/gpuBuffers.js');
    await expect(createNodeGpuContext(deviceNeeds(config, datasetFromRows('d', [[1, 0, 1]], [[1]])))).rejects.toThrow(
      /needs maxStorageBufferBindingSize = 1600000000/,
    );
    expect(() => initialWeights([3, 20000, 20000, 1], 1)).toThrow(/400,080,000 weights, more than the 268,435,456/);
  });

  test('9. workgroup sizes follow the device limits (compatibility mode allows 128 invocations)', () => {
    expect(workgroupSize(fakeContext({ maxComputeInvocationsPerWorkgroup: 128, maxComputeWorkgroupSizeX: 128 }))).toBe(64);
    expect(matmulTile(fakeContext({ maxComputeInvocationsPerWorkgroup: 128 }))).toBe(8);
    expect(workgroupSize(fakeContext({ maxComputeInvocationsPerWorkgroup: 32, maxComputeWorkgroupSizeX: 32 }))).toBe(32);
    expect(matmulTile(fakeContext({ maxComputeInvocationsPerWorkgroup: 32 }))).toBe(4);
    expect(matmulTile(fakeContext({ maxComputeWorkgroupSizeY: 4 }))).toBe(4);
  });

  test('10. zero sizes: refused in layers and data; a dispatch over 0 values touches nothing', async () => {
    expect(() => resolveConfig({ layers: [3, 0, 1], alpha: 0.1, iterations: 1, seed: 1 }, streetlights4())).toThrow(OptionError);
    expect(() => datasetFromRows('empty', [], [])).toThrow(DataError);
    const ctx = gpu();
    const layer = ctx.storage('layer', withGuard(0));
    const d = await relu(ctx, 'relu', layer, 0);
    await runDispatch(ctx, d);
    expect(guardIntact(await ctx.read(layer), 0)).toBe(true);
    for (const b of [layer, ...d.owned]) ctx.destroyBuffer(b);
  });
});

describe('training', () => {
  test('19. divergence stops the run with a message and keeps the last finite weights', async () => {
    const dataset = streetlights();
    const config = resolveConfig({ layers: [3, 1], alpha: 10, iterations: 40, seed: 1, logEvery: 1 }, dataset);
    const error = await train({ config, dataset, weights: [[0.5, 0.48, -0.7]], ctx: gpu() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).describe()).toMatch(/training diverged: the error of iteration \d+ (is Infinity|exploded).*try --alpha 1\b/);
    const kept = lastCheckpoint(error)!;
    expect(kept.weights[0]!.every(Number.isFinite)).toBe(true);
  });

  test('19. the seed\'s two-layer net with a huge alpha: every ReLU dies and the run warns that the error is stuck', async () => {
    const result = await train({ config: twoLayer({ alpha: 5, iterations: 30 }), dataset: streetlights4(), weights: seededWeights([3, 4, 1], 1), ctx: gpu() });
    expect(result.errors.at(-1)!.error).toBe(2);
    expect(result.warnings.join()).toMatch(/has not changed for 10 iterations .*every hidden ReLU unit may have died/);
  });

  test('20. the CPU reference\'s gradients match centred finite differences (float64, every matrix)', () => {
    const layers = [4, 6, 5, 3];
    const rows = 5;
    const x = Array.from(randomValues(rows * 4, 3));
    const y = Array.from(randomValues(rows * 3, 4));
    const weights = seededWeights(layers, 11);
    const error = (w: Float64Array[]): number => {
      const net = new CpuNetwork(layers, w, rows);
      return net.gradients(x, y, rows);
    };
    const net = new CpuNetwork(layers, weights, rows);
    net.gradients(x, y, rows);
    // Away from ReLU kinks E is quadratic in each weight, so centred differences are exact but for
    // rounding; h = 1e-4 keeps that rounding below 1e-7 relative. No hidden pre-activation may be
    // close enough to 0 for a step of h to cross it.
    const h = 1e-4;
    const pre = new CpuNetwork(layers, weights, rows);
    pre.forward(x, rows);
    for (const l of [1, 2]) {
      const z = new Float64Array(rows * layers[l]!);
      cpu.matmul(pre.layers[l - 1]!, weights[l - 1]!, z, rows, layers[l - 1]!, layers[l]!);
      for (const v of z) expect(Math.abs(v), 'a pre-activation near a kink').toBeGreaterThan(20 * h);
    }
    net.weightDeltas.forEach((analytic, l) => {
      for (let k = 0; k < analytic.length; k++) {
        const plus = weights.map((w) => Float64Array.from(w));
        const minus = weights.map((w) => Float64Array.from(w));
        plus[l]![k]! += h;
        minus[l]![k]! -= h;
        // E = Σ (prediction − goal)², so dE/dw = 2 · weight_delta.
        const numeric = (error(plus) - error(minus)) / (2 * h) / 2;
        const a = analytic[k]!;
        const relative = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), 1e-12);
        if (Math.abs(a) + Math.abs(numeric) > 1e-9) expect(relative, `weights_${l}_${l + 1}[${k}]: ${a} vs ${numeric}`).toBeLessThan(1e-7);
      }
    });
  });

  test('21. the GPU\'s gradients after one step match the CPU\'s for every layer', async () => {
    const layers = [4, 6, 5, 3];
    const rows = 5;
    const dataset = datasetFromRows(
      'random',
      Array.from({ length: rows }, (_, r) => Array.from(randomValues(4, 10 + r))),
      Array.from({ length: rows }, (_, r) => Array.from(randomValues(3, 20 + r))),
    );
    const config = resolveConfig({ layers, mode: 'full', alpha: 0.1, iterations: 1, seed: 11 }, dataset);
    const weights = seededWeights(layers, 11);
    const t = await GpuTrainer.create(gpu(), config, dataset, weights);
    await t.run(1);
    const ref = new CpuNetwork(layers, weights.map((w) => w.map(Math.fround)), rows);
    ref.gradients(dataset.inputs, dataset.targets, rows);
    for (let l = 0; l < layers.length - 1; l++) {
      const got = await t.readBuffer(`weight_delta_${l}_${l + 1}`);
      // The kernel's own error: the GPU's gradient against float64 arithmetic on the GPU's own inputs.
      const layer = await t.readBuffer(`layer_${l}`);
      const delta = await t.readBuffer(`layer_${l + 1}_delta`);
      const exact = new Float64Array(layers[l]! * layers[l + 1]!);
      cpu.matmul(layer, delta, exact, layers[l]!, rows, layers[l + 1]!, true, false);
      const scale = cpu.matmulAbs(layer, delta, layers[l]!, rows, layers[l + 1]!, true, false);
      const own = compareReduction(got, exact, scale, rows);
      expect(own.ok, describeComparison(`weight_delta_${l}_${l + 1} (kernel)`, own)).toBe(true);
      // And the whole chain: within the same bound widened by the depth of sums behind it.
      const whole = compareReduction(got, ref.weightDeltas[l]!, scale.map((s) => s * 40), rows);
      expect(whole.ok, describeComparison(`weight_delta_${l}_${l + 1} (against the CPU)`, whole)).toBe(true);
    }
    t.destroy();
  });

  test('22. a tiny dataset is fitted to ~0; an untrained net is at chance (predicting 0 gives Σ goal²)', async () => {
    const fitted = await train({ config: twoLayer(), dataset: streetlights4(), weights: seededWeights([3, 4, 1], 1), ctx: gpu() });
    expect(fitted.errors.at(-1)!.error).toBeLessThan(1e-4);
    const tiny = seededWeights([3, 4, 1], 1).map((w) => w.map((v) => v * 1e-4));
    const untrained = await train({ config: twoLayer({ iterations: 1 }), dataset: streetlights4(), weights: tiny, ctx: gpu() });
    expect(untrained.errors[0]!.error).toBeCloseTo(2, 3);
  });

  test('24. 2,500 steps keep the count and bytes of live GPU buffers flat', async () => {
    // A buffer made per step, per submit or per readback would show after the first few of each:
    // four more chunks of 500 steps, each read back, after the first.
    const ctx = gpu();
    const t = await GpuTrainer.create(ctx, twoLayer({ iterations: 625 }), streetlights4(), seededWeights([3, 4, 1], 1));
    await t.run(500);
    await t.readWeights();
    const after500 = ctx.stats();
    for (let i = 0; i < 4; i++) {
      await t.run(500);
      await t.readWeights();
    }
    expect(t.where.steps).toBe(2_500);
    expect(ctx.stats()).toEqual(after500);
    t.destroy();
  });
});
