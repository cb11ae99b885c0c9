// The op table's promises: every plan's steps name only buffers of the plan's spec (or the
// dataset's own), each step's reads and writes agree with what its WGSL binds and may write,
// kernels' bindings and uniforms come from the WGSL alone, and nothing outside src/ops/ asks a
// step what kind it is.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { classificationDataset, datasetFromRows, type Dataset } from '../../src/data/dataset.js';
import { streetlights } from '../../src/data/streetlights.js';
import { ShaderCompileError } from '../../src/errors.js';
import { composeShaders } from '../../src/gpu/shader.js';
import { kernel } from '../../src/gpu/kernel.js';
import { bindGroup } from '../../src/gpu/dispatch.js';
import { reflect, uniformBytes } from '../../src/gpu/wgsl.js';
import { ACTIVATIONS } from '../../src/ops/activations/index.js';
import { resolveConfig } from '../../src/train/config.js';
import { build } from '../../src/train/gpuBuffers.js';
import { addDataBuffers, addPlanBuffers, BufferSet } from '../../src/train/gpuBuffers.js';
import { planOf, planOptions, type PlanKind, type PlanOptions } from '../../src/train/plan.js';
import { Schedule } from '../../src/train/schedule.js';
import { useGpu } from '../helpers/gpu.js';

const gpu = useGpu();

/** The dataset's own buffers, which the trainer makes beside the plan's. */
const DATA = ['inputs', 'targets', 'order', 'batches', 'shifts', 'unused', 'unusedBias'];

const CASES: [PlanKind, PlanOptions, number[]][] = [];
for (const activation of Object.values(ACTIVATIONS)) {
  CASES.push(['teaching', { activation }, [3, 4, 1]]);
  CASES.push(['teaching', { activation, accuracy: true }, [3, 5, 4, 2]]);
  CASES.push(['fast', { activation }, [3, 4, 1]]);
  CASES.push(['fast', { activation, bias: true, loss: 'softmax', accuracy: true }, [3, 6, 5, 3]]);
}
CASES.push(['teaching', { activation: ACTIVATIONS.relu, shift: true }, [3, 4, 1]]);
CASES.push(['fast', { activation: ACTIVATIONS.relu, shift: true }, [3, 4, 1]]);

describe('every plan is consistent with its buffer spec and its WGSL', () => {
  for (const [kind, options, layers] of CASES) {
    test(`${kind} ${layers.join('-')} ${options.activation!.name}${options.bias ? ' bias' : ''}${options.loss === 'softmax' ? ' softmax' : ''}${options.shift ? ' shifted' : ''}`, async () => {
      const ctx = gpu();
      const rows = 3;
      const plan = planOf(kind, layers, rows, 0.1, options);
      const names = new Set([...plan.buffers.map((b) => b.name), ...DATA]);
      for (const step of plan.steps) for (const name of [...step.reads, ...step.writes]) expect(names.has(name), `${step.numpy} names ${name}`).toBe(true);
      // Every buffer the plan makes is used by some step.
      const used = new Set(plan.steps.flatMap((s) => [...s.reads, ...s.writes]));
      for (const spec of plan.buffers) if (spec.role !== 'scalar' && spec.name !== 'goal') expect(used.has(spec.name), `${spec.name} is used`).toBe(true);
      const classes = layers.at(-1)!;
      const dataset = datasetFromRows('d', Array.from({ length: 5 }, (_, i) => [i % 2, 1, i / 5]), Array.from({ length: 5 }, (_, i) => Array.from({ length: classes }, (_, c) => (c === i % classes ? 1 : 0))));
      const config = resolveConfig({ layers, alpha: 0.1, iterations: 1, seed: 1, mode: 'batch', batchSize: rows, bias: options.bias, loss: options.loss }, dataset);
      const buffers = new BufferSet(ctx);
      addDataBuffers(ctx, buffers, dataset, new Schedule(config, dataset), plan, 0);
      addPlanBuffers(ctx, buffers, plan);
      const { dispatches } = await build(ctx, plan, buffers, dataset);
      plan.steps.forEach((step, i) => {
        const d = dispatches[i]!;
        const bound = Object.values(d.bound);
        for (const name of [...step.reads, ...step.writes]) expect(bound, `${step.numpy}: ${name} is bound`).toContain(name);
        // What the step writes, its WGSL binds read_write; what the WGSL may write, the step names.
        const writable = d.kernel.reflection.bindings.filter((b) => b.kind === 'rw').map((b) => d.bound[b.name]).filter((n) => n !== undefined);
        for (const name of step.writes) expect(writable, `${step.numpy}: ${name} is bound read_write`).toContain(name);
        for (const name of writable) expect([...step.reads, ...step.writes], `${step.numpy}: ${name} is named`).toContain(name);
      });
      for (const d of dispatches) for (const b of d.owned) ctx.destroyBuffer(b);
      buffers.destroy();
    });
  }
});

test('the gather names shifts among its reads exactly when the training images are shifted', () => {
  const dataset = { ...datasetFromRows('d', [[0, 1, 0, 1]], [[1]]), imageWidth: 2 };
  for (const kind of ['teaching', 'fast'] as const) {
    for (const shift of [0, 1]) {
      const config = resolveConfig({ layers: [4, 2, 1], alpha: 0.1, iterations: 1, seed: 1, shift }, dataset);
      const gather = planOf(kind, config.layers, 1, 0.1, planOptions(config, dataset)).steps[0]!;
      expect(gather.op).toBe('gather');
      expect(gather.reads.includes('shifts'), `${kind}, shift ${shift}`).toBe(shift > 0);
      expect(gather.explain.includes('shifts'), `${kind}, shift ${shift}: the explanation`).toBe(shift > 0);
    }
  }
});

test("the gather's sentence names the lights for the streetlights only: pixels and a one-hot class for images, else inputs and targets", () => {
  const sentence = (dataset: Dataset): string => {
    const config = resolveConfig({ layers: [dataset.inputSize, 2, dataset.outputSize], alpha: 0.1, iterations: 1, seed: 1 }, dataset);
    return planOf('teaching', config.layers, 1, 0.1, planOptions(config, dataset)).steps[0]!.explain;
  };
  expect(sentence(streetlights())).toContain('what we know (the lights) goes into layer_0, what we want to know (walk or stop) into goal');
  const images = classificationDataset('images', new Uint8Array([0, 255, 255, 0]), 4, new Uint8Array([1]), 2, 2);
  expect(sentence(images)).toContain('what we know (the pixels) goes into layer_0, what we want to know (the class, one-hot) into goal');
  const rows = sentence(datasetFromRows('csv', [[0.5, 1]], [[2]]));
  expect(rows).toContain('what we know (the inputs) goes into layer_0, what we want to know (the targets) into goal');
  expect(rows).not.toMatch(/lights|walk/);
});

describe('bindings and uniforms come from the WGSL', () => {
  const shader = {
    name: 'probe',
    code: `struct Params { count: u32, scale: f32, }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
// @group(0) @binding(9) var<storage, read> commented_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(1) fn main() { y[0] = x[0] * params.scale + f32(params.count); }`,
  };

  test('reflect reads the bindings in order, their kinds, and the uniform struct', () => {
    const r = reflect(shader.code);
    expect(r.bindings.map((b) => [b.name, b.kind])).toEqual([
      ['params', 'uniform'],
      ['x', 'read'],
      ['y', 'rw'],
    ]);
    expect(r.structs.Params).toEqual([
      { name: 'count', type: 'u32' },
      { name: 'scale', type: 'f32' },
    ]);
    const bytes = new DataView(uniformBytes(r, 'params', { count: 3, scale: 0.5 }, 'probe'));
    expect([bytes.getUint32(0, true), bytes.getFloat32(4, true), bytes.byteLength]).toEqual([3, 0.5, 16]);
  });

  test('a uniform field missing or unknown, a binding missing or extra: refused, naming it', async () => {
    const r = reflect(shader.code);
    expect(() => uniformBytes(r, 'params', { count: 3 }, 'probe')).toThrow(/Params.scale is missing/);
    expect(() => uniformBytes(r, 'params', { count: 3, scale: 1, alpha: 2 }, 'probe')).toThrow(/no field alpha/);
    const ctx = gpu();
    const k = await kernel(ctx, shader);
    const x = ctx.storage('x', 1);
    expect(() => bindGroup(ctx, 'probe', k, { params: x, x })).toThrow(/missing y/);
    expect(() => bindGroup(ctx, 'probe', k, { params: x, x, y: x, z: x })).toThrow(/no binding z/);
    ctx.destroyBuffer(x);
  });

  test('a compile error in a composed shader names the file and line it is in', async () => {
    const broken = { name: 'broken_activation', code: 'fn activation(x: f32) -> f32 {\n  return x +;\n}\nfn activation2deriv(o: f32) -> f32 { return 1.0; }' };
    const error = await kernel(gpu(), composeShaders(broken, { name: 'kernel', code: '@compute @workgroup_size(1) fn main() { _ = activation(1.0); }' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShaderCompileError);
    expect((error as ShaderCompileError).shader).toBe('broken_activation');
    expect((error as ShaderCompileError).line).toBe(2);
  });
});

test('nothing outside src/ops/ switches on what kind of step it has', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  walk(join(import.meta.dirname, '..', '..', 'src'));
  const offenders = files
    .filter((f) => !f.includes(`${join('src', 'ops')}`))
    .filter((f) => /\.op(\.kind)?\s*[!=]==|switch\s*\([^)]*\bop\b/.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});
