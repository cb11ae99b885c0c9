// Whole training runs: the CPU reference against numpy's printout, and the GPU against the CPU
// reference after every step, for each kind of gradient descent.

import { describe, expect, test } from 'vitest';
import { datasetFromRows, type Dataset } from '../../src/data/dataset.js';
import { streetlights, streetlights4 } from '../../src/data/streetlights.js';
import { seededWeights } from '../../src/net/init.js';
import { ShadowCheck } from '../../src/train/check.js';
import { EXAMPLES, initialWeights, resolveConfig, type ConfigInput, type TrainConfig } from '../../src/train/config.js';
import { CpuExecutor } from '../../src/train/cpuExecutor.js';
import { plainRun } from '../helpers/plain.js';
import { ACTIVATIONS } from '../../src/ops/activations/index.js';
import { errorLine } from '../../src/train/format.js';
import { GpuTrainer } from '../../src/train/gpuTrainer.js';
import type { IterationError } from '../../src/train/types.js';
import { createTrainer, resolvePlan } from '../../src/train/trainer.js';
import { fitsResident } from '../../src/train/residentTrainer.js';
import { train } from '../../src/train/run.js';
import { compareRelative, describeComparison } from '../../src/verify/tolerance.js';
import { numpy, type RunFixture } from '../fixtures/numpy.js';
import { randomValues, useGpu } from '../helpers/gpu.js';

const gpu = useGpu();

function config(input: Partial<ConfigInput>, dataset: Dataset): TrainConfig {
  return resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations: 60, seed: 1, ...input }, dataset);
}

describe('the CPU reference reproduces numpy', () => {
  test("two-layer program: numpy's printout, digit for digit", () => {
    const ds = streetlights4();
    const cfg = config({}, ds);
    const cpu = new CpuExecutor(cfg, ds, seededWeights(cfg.layers, 1));
    const errors = cpu.runIterations(60);
    const printed = errors.filter((e) => e.iteration % 10 === 9).map((e) => errorLine(e.error, false));
    expect(printed).toEqual(numpy.two_layer.printed);
    expect(cpu.weights.map((w) => Array.from(w))).toEqual(numpy.two_layer.final);
  });

  test("one-layer program: numpy's printout, digit for digit", () => {
    const ds = streetlights();
    const ex = EXAMPLES['one-layer']!;
    const cfg = resolveConfig({ ...ex }, ds);
    const cpu = new CpuExecutor(cfg, ds, initialWeights(cfg.layers, cfg.seed, ex.weights));
    const errors = cpu.runIterations(40);
    expect(errors.map((e) => errorLine(e.error, false))).toEqual(numpy.one_layer.printed);
    expect(Array.from(cpu.weights[0]!)).toEqual(numpy.one_layer.final);
  });

  const batched: [string, RunFixture, Partial<ConfigInput>][] = [
    ['full (one update per pass)', numpy.two_layer_full, { mode: 'full', iterations: 100 }],
    ['mini-batch of 3 (last batch 1)', numpy.two_layer_batch3, { mode: 'batch', batchSize: 3, iterations: 100 }],
  ];
  for (const [name, fixture, input] of batched) {
    test(`${name}: numpy's errors and weights within 1e-12`, () => {
      const ds = streetlights4();
      const cfg = config(input, ds);
      const cpu = new CpuExecutor(cfg, ds, seededWeights(cfg.layers, 1));
      const errors = cpu.runIterations(cfg.iterations).map((e) => e.error);
      const c = compareRelative(errors, fixture.errors, 1e-12);
      expect(c.ok, describeComparison('errors', c)).toBe(true);
      cpu.weights.forEach((w, l) => {
        const cw = compareRelative(w, (fixture.final as number[][])[l]!, 1e-12);
        expect(cw.ok, describeComparison(`weights ${l}`, cw)).toBe(true);
      });
    });
  }
});

describe('the GPU reproduces numpy within 1e-4 relative', () => {
  test('two-layer program', async () => {
    const ds = streetlights4();
    const cfg = config({}, ds);
    const t = await GpuTrainer.create(gpu(), cfg, ds, seededWeights(cfg.layers, 1));
    const errors = (await t.runIterations(60)).map((e) => e.error);
    t.destroy();
    const c = compareRelative(errors, numpy.two_layer.errors, 1e-4);
    expect(c.ok, describeComparison('error per iteration', c)).toBe(true);
  });

  test('one-layer program', async () => {
    const ds = streetlights();
    const ex = EXAMPLES['one-layer']!;
    const cfg = resolveConfig({ ...ex }, ds);
    const t = await GpuTrainer.create(gpu(), cfg, ds, initialWeights(cfg.layers, cfg.seed, ex.weights));
    const errors = (await t.runIterations(40)).map((e) => e.error);
    const weights = await t.readWeights();
    t.destroy();
    const c = compareRelative(errors, numpy.one_layer.errors, 1e-4);
    expect(c.ok, describeComparison('error per iteration', c)).toBe(true);
    expect(compareRelative(weights[0]!, numpy.one_layer.final as number[], 1e-4).ok).toBe(true);
  });
});

describe('GPU against the CPU reference after every step', () => {
  const cases: [string, () => Dataset, Partial<ConfigInput>][] = [
    ['stochastic, 3-4-1, 4 rows', streetlights4, { mode: 'stochastic', iterations: 30 }],
    ['mini-batch 3 of 4 rows (tail of 1)', streetlights4, { mode: 'batch', batchSize: 3, iterations: 30 }],
    ['mini-batch 4 of 6 rows (tail of 2)', streetlights, { mode: 'batch', batchSize: 4, iterations: 30, alpha: 0.1 }],
    ['full, 6 rows', streetlights, { mode: 'full', iterations: 40, alpha: 0.1 }],
    ['stochastic, 3-1 linear', streetlights, { layers: [3, 1], iterations: 20, alpha: 0.1 }],
    ['stochastic, 3-5-4-1 (two hidden layers)', streetlights4, { layers: [3, 5, 4, 1], iterations: 30, alpha: 0.1, seed: 3 }],
  ];
  for (const [name, data, input] of cases) for (const plan of ['teaching', 'fast', 'resident'] as const) {
    test(`${name}, ${plan} plan`, async () => {
      const ds = data();
      const cfg = config(input, ds);
      const weights = seededWeights(cfg.layers, cfg.seed);
      const result = await train({ config: cfg, dataset: ds, weights, ctx: gpu(), check: true, plan });
      expect(result.check!.ok, result.check!.firstFailure).toBe(true);
      expect(result.errors).toHaveLength(cfg.iterations);
      expect(result.check!.maxErrorDiff).toBeLessThan(1e-4);
      expect(result.steps).toBe(cfg.iterations * Math.ceil(ds.rows / cfg.batchSize));
    });
  }

  test('a wrong gradient is caught: a shadow with alpha 0.1% off fails within the run', async () => {
    const ds = streetlights4();
    const cfg = config({ iterations: 20 }, ds);
    const weights = seededWeights(cfg.layers, 1);
    const t = await GpuTrainer.create(gpu(), cfg, ds, weights);
    const shadow = new ShadowCheck({ ...cfg, alpha: cfg.alpha * 1.001 }, ds, weights);
    for (let s = 0; s < 80; s++) {
      await t.run(1);
      shadow.step();
      shadow.compareWeights(await t.readWeights());
    }
    expect(shadow.currentBound).toBeGreaterThan(0);
    t.destroy();
    expect(shadow.firstFailure, 'the bound must not hide a 0.1% error in the step').toBeDefined();
    expect(() => shadow.assertOk()).toThrow(/disagree: weights_\d_\d after step \d+/);
  });
});

describe('the plans', () => {
  test("auto picks the resident plan for the seed's nets and the fast plan for MNIST-sized ones", () => {
    const ds = streetlights4();
    expect(resolvePlan('auto', config({}, ds))).toBe('resident');
    expect(resolvePlan('auto', config({ mode: 'full' }, ds))).toBe('resident');
    const big = resolveConfig({ layers: [784, 128, 10], alpha: 0.1, iterations: 1, seed: 1, mode: 'batch', batchSize: 100 }, datasetFromRows('d', [Array(784).fill(0)], [Array(10).fill(0)]));
    expect(resolvePlan('auto', big)).toBe('fast');
    expect(fitsResident([784, 128, 10])).toBe(false);
  });

  test('the three plans reproduce numpy\'s two-layer printout within 1e-4', async () => {
    for (const plan of ['teaching', 'fast', 'resident'] as const) {
      const ds = streetlights4();
      const t = await createTrainer(gpu(), config({}, ds), ds, seededWeights([3, 4, 1], 1), plan);
      const errors = (await t.runIterations(60)).map((e) => e.error);
      t.destroy();
      const c = compareRelative(errors, numpy.two_layer.errors, 1e-4);
      expect(c.ok, `${plan}: ${describeComparison('errors', c)}`).toBe(true);
    }
  });

  test('the resident plan goes on across dispatches mid-iteration, and keeps its buffers flat', async () => {
    const ctx = gpu();
    const ds = streetlights();
    const cfg = config({ mode: 'batch', batchSize: 4, iterations: 30, alpha: 0.1 }, ds);
    const w = seededWeights(cfg.layers, 1);
    const straight = await createTrainer(ctx, cfg, ds, w, 'resident');
    const all = await straight.runIterations(30);
    const stepped = await createTrainer(ctx, cfg, ds, w, 'resident');
    const parts: IterationError[] = [];
    parts.push(...(await stepped.run(1)));
    const bytes = ctx.stats();
    for (const steps of [2, 3, 5, 7, 11, 31]) parts.push(...(await stepped.run(steps)));
    expect(parts).toEqual(all);
    expect(await stepped.readWeights()).toEqual(await straight.readWeights());
    expect(ctx.stats()).toEqual(bytes);
    straight.destroy();
    stepped.destroy();
  });
});

describe('dispatch by dispatch', () => {
  test('the CPU executor gives the same bits as the plain CPU network, for every mode and activation', () => {
    for (const input of [{}, { mode: 'batch' as const, batchSize: 3 }, { mode: 'full' as const }, { layers: [3, 5, 4, 1], seed: 3 }, ...Object.keys(ACTIVATIONS).map((activation) => ({ activation, mode: 'full' as const }))]) {
      const ds = streetlights4();
      const cfg = config({ iterations: 10, ...input }, ds);
      const w = seededWeights(cfg.layers, cfg.seed);
      const plain = plainRun(cfg, ds, w, 10);
      const plan = new CpuExecutor(cfg, ds, w);
      expect(plan.runIterations(10)).toEqual(plain.errors);
      expect(plan.weights).toEqual(plain.weights);
    }
  });

  test('each GPU dispatch writes what the same CPU step writes', async () => {
    const ds = streetlights();
    const cfg = config({ mode: 'batch', batchSize: 4, iterations: 2 }, ds);
    const w = seededWeights(cfg.layers, 1);
    const t = await GpuTrainer.create(gpu(), cfg, ds, w);
    const shadow = new ShadowCheck(cfg, ds, w);
    const seen = new Set<string>();
    // Two iterations of two batches (4 rows, then a tail of 2): every dispatch of both plans.
    for (let i = 0; i < 2 * (t.planFor(0).plan.steps.length + t.planFor(1).plan.steps.length); i++) {
      const g = await t.runDispatch();
      const c = shadow.runDispatch();
      expect(g.step.numpy).toBe(c.step.numpy);
      expect(g.batchDone).toBe(c.batchDone);
      expect(g.completed?.iteration).toBe(c.completed?.iteration);
      if (g.completed) expect(g.completed.error).toBeCloseTo(c.completed!.error, 5);
      for (const name of g.step.writes) {
        const gpuValues = await t.readBuffer(name);
        const cpuValues = shadow.cpu.buffers.get(name)!;
        const diff = Math.max(...Array.from(cpuValues, (v, k) => Math.abs(v - gpuValues[k]!)));
        expect(diff, `${g.step.numpy}: ${name}`).toBeLessThan(1e-5);
        seen.add(g.step.op);
      }
    }
    expect([...seen].sort()).toEqual(['activate', 'activate2deriv', 'gather', 'matmul', 'outputDelta', 'update']);
    expect(t.where).toEqual({ iteration: 2, batch: 0, dispatch: 0, steps: 4 });
    t.destroy();
  });

  test('stepping into a batch, then running on, gives the same run as running straight', async () => {
    const ds = streetlights4();
    const cfg = config({ iterations: 5 }, ds);
    const w = seededWeights(cfg.layers, 1);
    const a = await GpuTrainer.create(gpu(), cfg, ds, w);
    const straight = await a.runIterations(5);
    const b = await GpuTrainer.create(gpu(), cfg, ds, w);
    for (let i = 0; i < 4; i++) await b.runDispatch();
    expect(b.where).toMatchObject({ batch: 0, dispatch: 4, steps: 0 });
    const stepped = await b.runIterations(5);
    expect(stepped).toEqual(straight);
    expect(await b.readWeights()).toEqual(await a.readWeights());
    a.destroy();
    b.destroy();
  });
});

describe('bigger networks', () => {
  for (const plan of ['teaching', 'fast'] as const) test(`784-128-10 on random data trains, GPU = CPU within the bound (${plan} plan)`, async () => {
    const rows = 48;
    const inputs: number[][] = [];
    const targets: number[][] = [];
    const x = randomValues(rows * 784, 5).map((v) => (v + 1) / 2);
    for (let r = 0; r < rows; r++) {
      inputs.push(Array.from(x.subarray(r * 784, (r + 1) * 784)));
      targets.push(Array.from({ length: 10 }, (_, c) => (c === r % 10 ? 1 : 0)));
    }
    const ds = datasetFromRows('random', inputs, targets);
    const cfg = resolveConfig({ layers: [784, 128, 10], mode: 'batch', batchSize: 16, alpha: 0.01, iterations: 3, seed: 2 }, ds);
    const weights = seededWeights(cfg.layers, 2).map((w) => w.map((v) => v * 0.05));
    const result = await train({ config: cfg, dataset: ds, weights, ctx: gpu(), check: true, plan });
    expect(result.check!.ok, result.check!.firstFailure).toBe(true);
    expect(result.errors.every((e) => Number.isFinite(e.error))).toBe(true);
    expect(result.errors[2]!.error).toBeLessThan(result.errors[0]!.error);
  });
});

describe('the trainer', () => {
  test('reads back only when asked, and its position follows the steps', async () => {
    const ds = streetlights4();
    const cfg = config({}, ds);
    const t = await GpuTrainer.create(gpu(), cfg, ds, seededWeights(cfg.layers, 1));
    expect(await t.run(3)).toEqual([]);
    expect(t.where).toEqual({ iteration: 0, batch: 3, dispatch: 0, steps: 3 });
    const done = await t.run(2);
    expect(done.map((e) => e.iteration)).toEqual([0]);
    expect(t.where).toEqual({ iteration: 1, batch: 1, dispatch: 0, steps: 5 });
    // runIterations finishes the current iteration first.
    expect((await t.runIterations(2)).map((e) => e.iteration)).toEqual([1, 2]);
    expect(t.where).toEqual({ iteration: 3, batch: 0, dispatch: 0, steps: 12 });
    t.destroy();
  });

  test('same seed, same adapter: bitwise identical runs; another seed differs', async () => {
    const ds = streetlights4();
    const cfg = config({ iterations: 20 }, ds);
    const once = async (seed: number): Promise<number[]> => {
      const t = await GpuTrainer.create(gpu(), cfg, ds, seededWeights(cfg.layers, seed));
      const errors = (await t.runIterations(20)).map((e) => e.error);
      const weights = await t.readWeights();
      t.destroy();
      return [...errors, ...weights.flatMap((w) => Array.from(w))];
    };
    const a = await once(1);
    const b = await once(1);
    const c = await once(2);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  test('destroy frees every buffer the trainer made', async () => {
    const ctx = gpu();
    const before = ctx.stats();
    const ds = streetlights();
    const t = await GpuTrainer.create(ctx, config({ mode: 'batch', batchSize: 4, iterations: 2 }, ds), ds, seededWeights([3, 4, 1], 1));
    await t.runIterations(2);
    await t.readWeights();
    t.destroy();
    const after = ctx.stats();
    // Staging buffers for readback are pooled by the context and reused; the trainer's are gone.
    const staging = after.count - before.count;
    expect(staging).toBeGreaterThanOrEqual(0);
    expect(staging).toBeLessThanOrEqual(2);
  });
});
