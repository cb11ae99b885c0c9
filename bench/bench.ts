// npm run bench: ours against TF.js's WebGPU backend (and a naive WGSL matmul, and the CPU path),
// side by side in one process on one adapter, after a warm-up, as the median of several runs.
//   npm run bench -- --json          one JSON object per case
//   npm run bench -- --quick         tiny sizes, one run: a smoke test that the benchmark still works
//   npm run bench -- --runs 5 --save bench/results/<name>.json

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { datasetFromRows, type Dataset } from '../src/data/dataset.js';
import { streetlights4 } from '../src/data/streetlights.js';
import type { GpuContext } from '../src/gpu/context.js';
import { createNodeGpuContext, nodeGpu } from '../src/gpu/node.js';
import { encodeDispatch, type Dispatch } from '../src/gpu/pipeline.js';
import { matmul } from '../src/kernels/matmul.js';
import { matmulFast, type FastForm } from '../src/kernels/matmulFast.js';
import { seededWeights } from '../src/net/init.js';
import { resolveConfig, type TrainConfig } from '../src/train/config.js';
import { CpuExecutor } from '../src/train/cpuExecutor.js';
import { GpuTrainer } from '../src/train/gpuTrainer.js';
import { createTrainer } from '../src/train/trainer.js';
import { time, values, type Timing } from './stats.js';
import { tfGpuBytes, tfjs, type Tf } from './tfjs.js';

interface Row {
  case: string;
  ours: number;
  peer: number;
  /** ours / peer for rates (higher is better), peer / ours for times. */
  ratio: number;
  unit: string;
  peerName: string;
  /** What a case must reach, as a ratio; absent where no target was set. */
  target?: number;
  runs: number;
  warmup: number;
  /** Bytes of GPU memory the workload allocates: ours, and the peer's where it can be read. */
  oursBytes?: number;
  peerBytes?: number;
  note?: string;
}

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    save: { type: 'string' },
  },
});
const quick = opts.quick ?? false;
const RUNS = Number(opts.runs ?? (quick ? 1 : 5));
const WARMUP = 1;

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  if (opts.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  else process.stderr.write(`  ${row.case}: ${fmt(row.ours)} vs ${fmt(row.peer)} ${row.unit} (${row.peerName}) = ${row.ratio.toFixed(1)}×\n`);
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));

// --- matmul ----------------------------------------------------------------------------------

interface Shape {
  name: string;
  form: FastForm;
  M: number;
  K: number;
  N: number;
  /** Products per timed run, so small shapes run long enough to measure. */
  repeat: number;
}

const SHAPES: Shape[] = quick
  ? [{ name: 'matmul 64×64×64', form: 'forward', M: 64, K: 64, N: 64, repeat: 2 }]
  : [
      { name: 'matmul 512×512×512', form: 'forward', M: 512, K: 512, N: 512, repeat: 2 },
      { name: 'matmul 1024×1024×1024', form: 'forward', M: 1024, K: 1024, N: 1024, repeat: 1 },
      { name: 'matmul MNIST forward layer_0·W (100×784)·(784×128)', form: 'forward', M: 100, K: 784, N: 128, repeat: 10 },
      { name: 'matmul MNIST backward delta·Wᵀ (100×128)·(128×784)', form: 'backward', M: 100, K: 128, N: 784, repeat: 10 },
      { name: 'matmul MNIST gradient layer_0ᵀ·delta (784×100)·(100×128)', form: 'gradient', M: 784, K: 100, N: 128, repeat: 10 },
    ];

/** Operand shapes as stored: forward a (M,K) b (K,N); backward a (M,K) b (N,K); gradient a (K,M) b (K,N). */
function operands(s: Shape): { aRows: number; aCols: number; bRows: number; bCols: number } {
  if (s.form === 'forward') return { aRows: s.M, aCols: s.K, bRows: s.K, bCols: s.N };
  if (s.form === 'backward') return { aRows: s.M, aCols: s.K, bRows: s.N, bCols: s.K };
  return { aRows: s.K, aCols: s.M, bRows: s.K, bCols: s.N };
}

async function runDispatches(ctx: GpuContext, d: Dispatch, repeat: number): Promise<void> {
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let i = 0; i < repeat; i++) encodeDispatch(pass, d);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  await ctx.device.queue.onSubmittedWorkDone();
}

async function benchMatmul(ctx: GpuContext, tf: Tf): Promise<void> {
  for (const s of SHAPES) {
    const flops = 2 * s.M * s.K * s.N * s.repeat;
    const o = operands(s);
    const a = values(o.aRows * o.aCols, 1);
    const b = values(o.bRows * o.bCols, 2);
    const before = ctx.stats().bytes;
    const ga = ctx.storage('a', a);
    const gb = ctx.storage('b', b);
    const gc = ctx.storage('c', s.M * s.N);
    const unused = ctx.storage('unused', 4);
    const unusedBias = ctx.storage('unusedBias', 4);
    const fast = await matmulFast(ctx, { label: s.name, form: s.form, epilogue: 'store', a: ga, b: gb, c: gc, unusedMask: unused, unusedBias, M: s.M, K: s.K, N: s.N });
    const naive = await matmul(ctx, {
      label: `${s.name} naive`,
      a: ga,
      b: gb,
      c: gc,
      M: s.M,
      K: s.K,
      N: s.N,
      transposeA: s.form === 'gradient',
      transposeB: s.form === 'backward',
    });
    const oursBytes = ctx.stats().bytes - before;
    const ours = await time(() => runDispatches(ctx, fast, s.repeat), RUNS, WARMUP);
    const naiveTime = await time(() => runDispatches(ctx, naive, s.repeat), RUNS, WARMUP);

    const ta = tf.tensor2d(a, [o.aRows, o.aCols]);
    const tb = tf.tensor2d(b, [o.bRows, o.bCols]);
    const tfTime = await time(
      async () => {
        const outs: tfType[] = [];
        for (let i = 0; i < s.repeat; i++) outs.push(tf.matMul(ta, tb, s.form === 'gradient', s.form === 'backward'));
        await outs.at(-1)!.data();
        for (const t of outs) t.dispose();
      },
      RUNS,
      WARMUP,
    );
    const peerBytes = tfGpuBytes(tf);
    ta.dispose();
    tb.dispose();
    const gf = (t: Timing): number => flops / t.median / 1e6;
    report({ case: s.name, ours: gf(ours), peer: gf(tfTime), ratio: gf(ours) / gf(tfTime), unit: 'GFLOPS', peerName: 'TF.js WebGPU', target: 5, runs: RUNS, warmup: WARMUP, oursBytes, peerBytes });
    report({ case: s.name, ours: gf(ours), peer: gf(naiveTime), ratio: gf(ours) / gf(naiveTime), unit: 'GFLOPS', peerName: 'naive WGSL (shaders/matmul.wgsl)', runs: RUNS, warmup: WARMUP, oursBytes });
    for (const buffer of [ga, gb, gc, unused, unusedBias, ...fast.owned, ...naive.owned]) ctx.destroyBuffer(buffer);
  }
}
type tfType = ReturnType<Tf['matMul']>;

// --- training --------------------------------------------------------------------------------

function randomDigits(rows: number, inputs: number, classes: number): Dataset {
  const x = values(rows * inputs, 3);
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let r = 0; r < rows; r++) {
    xs.push(Array.from(x.subarray(r * inputs, (r + 1) * inputs), (v) => (v + 1) / 2));
    ys.push(Array.from({ length: classes }, (_, c) => (c === r % classes ? 1 : 0)));
  }
  return datasetFromRows('random digits', xs, ys);
}

/** The same network in TF.js: relu(x·W1)·W2, loss Σ(pred − y)² / (2·rows), SGD: the same updates as ours. */
function tfModel(tf: Tf, layers: readonly number[], weights: Float64Array[], alpha: number) {
  const ws = weights.map((w, l) => tf.variable(tf.tensor2d(Float32Array.from(w), [layers[l]!, layers[l + 1]!])));
  const optimizer = tf.train.sgd(alpha);
  const forward = (x: ReturnType<Tf['tensor2d']>) => {
    let h = x as ReturnType<Tf['matMul']>;
    ws.forEach((w, l) => {
      h = tf.matMul(h, w);
      if (l + 1 < ws.length) h = tf.relu(h);
    });
    return h;
  };
  const loss = (x: ReturnType<Tf['tensor2d']>, y: ReturnType<Tf['tensor2d']>, rows: number): ReturnType<Tf['scalar']> =>
    tf.div(tf.sum(tf.square(tf.sub(forward(x), y))), 2 * rows);
  const step = (x: ReturnType<Tf['tensor2d']>, y: ReturnType<Tf['tensor2d']>, rows: number) => optimizer.minimize(() => loss(x, y, rows), true)!;
  return { ws, step, dispose: () => ws.forEach((w) => w.dispose()) };
}

async function benchTraining(ctx: GpuContext, tf: Tf): Promise<void> {
  const layers = quick ? [16, 8, 4] : [784, 128, 10];
  const examples = quick ? 40 : 1000;
  const epochs = quick ? 1 : 2;
  const dataset = randomDigits(examples, layers[0]!, layers.at(-1)!);
  const config: TrainConfig = resolveConfig({ layers, mode: 'batch', batchSize: quick ? 10 : 100, alpha: 0.01, iterations: epochs, seed: 1 }, dataset);
  const weights = seededWeights(layers, 1).map((w) => w.map((v) => v * 0.05));

  const before = ctx.stats().bytes;
  const trainer = await GpuTrainer.create(ctx, config, dataset, weights, { plan: 'fast' });
  const oursBytes = ctx.stats().bytes - before;
  const ours = await time(async () => void (await trainer.runIterations(epochs)), RUNS, WARMUP);
  trainer.destroy();

  const model = tfModel(tf, layers, weights, config.alpha);
  const bs = config.batchSize;
  const xs: ReturnType<Tf['tensor2d']>[] = [];
  const ys: ReturnType<Tf['tensor2d']>[] = [];
  for (let start = 0; start < examples; start += bs) {
    xs.push(tf.tensor2d(dataset.inputs.subarray(start * layers[0]!, (start + bs) * layers[0]!), [bs, layers[0]!]));
    ys.push(tf.tensor2d(dataset.targets.subarray(start * layers.at(-1)!, (start + bs) * layers.at(-1)!), [bs, layers.at(-1)!]));
  }
  const tfTime = await time(
    async () => {
      for (let e = 0; e < epochs; e++) {
        for (let b = 0; b < xs.length; b++) {
          const cost = tf.tidy(() => model.step(xs[b]!, ys[b]!, bs));
          cost.dispose();
        }
      }
      await model.ws.at(-1)!.data();
    },
    RUNS,
    WARMUP,
  );
  const peerBytes = tfGpuBytes(tf);
  model.dispose();
  for (const t of [...xs, ...ys]) t.dispose();

  const cpuTime = await time(async () => void new CpuExecutor(config, dataset, weights).runIterations(epochs), quick ? 1 : Math.min(RUNS, 3), quick ? 0 : 1);
  const rate = (t: Timing): number => (examples * epochs) / (t.median / 1000);
  const name = `training ${layers.join('-')} ReLU, batch ${bs}, SGD, squared error`;
  report({ case: name, ours: rate(ours), peer: rate(tfTime), ratio: rate(ours) / rate(tfTime), unit: 'examples/s', peerName: 'TF.js WebGPU', target: 3, runs: RUNS, warmup: WARMUP, oursBytes, peerBytes });
  report({ case: name, ours: rate(ours), peer: rate(cpuTime), ratio: rate(ours) / rate(cpuTime), unit: 'examples/s', peerName: 'CPU path (float64 reference)', runs: cpuTime.runs, warmup: cpuTime.warmup, oursBytes });
}

// --- the seed's program ----------------------------------------------------------------------

async function benchSeed(ctx: GpuContext, tf: Tf): Promise<void> {
  const dataset = streetlights4();
  const config = resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations: 60, seed: 1, logEvery: 10 }, dataset);
  const weights = seededWeights(config.layers, 1);
  let oursBytes = 0;
  // Ours, as the CLI runs it (plan auto: resident for this network): one submit per log point.
  const ours = await time(
    async () => {
      const before = ctx.stats().bytes;
      const t = await createTrainer(ctx, config, dataset, weights, 'auto');
      oursBytes = ctx.stats().bytes - before;
      for (let i = 0; i < 6; i++) await t.runIterations(10);
      await t.readWeights();
      t.destroy();
    },
    RUNS,
    WARMUP,
  );
  // A submit and a readback of the weights after every step, with the same kernel, and with the
  // fast plan's per-step kernels.
  const stepByStep = (plan: 'resident' | 'fast') => async (): Promise<void> => {
    const t = await createTrainer(ctx, config, dataset, weights, plan);
    for (let s = 0; s < 240; s++) {
      await t.run(1);
      await t.readWeights();
    }
    t.destroy();
  };
  const sameKernel = await time(stepByStep('resident'), RUNS, WARMUP);
  const fastSteps = await time(stepByStep('fast'), RUNS, WARMUP);
  // TF.js: the seed's loop, one example per step, the error summed on the GPU, read every 10 iterations.
  const tfTime = await time(
    async () => {
      const model = tfModel(tf, config.layers, weights, config.alpha);
      const xs = Array.from({ length: 4 }, (_, i) => tf.tensor2d(dataset.inputs.subarray(i * 3, i * 3 + 3), [1, 3]));
      const ys = Array.from({ length: 4 }, (_, i) => tf.tensor2d(dataset.targets.subarray(i, i + 1), [1, 1]));
      for (let it = 0; it < 60; it++) {
        let error: ReturnType<Tf['add']> = tf.scalar(0);
        for (let i = 0; i < 4; i++) {
          const cost = tf.tidy(() => model.step(xs[i]!, ys[i]!, 1));
          const next = tf.add(error, tf.mul(cost, 2));
          error.dispose();
          cost.dispose();
          error = next;
        }
        if (it % 10 === 9) await error.data();
        error.dispose();
      }
      await model.ws[0]!.data();
      model.dispose();
      for (const t of [...xs, ...ys]) t.dispose();
    },
    RUNS,
    WARMUP,
  );
  const name = "the seed's two-layer program (60 iterations, stochastic)";
  report({ case: name, ours: ours.median, peer: sameKernel.median, ratio: sameKernel.median / ours.median, unit: 'ms', peerName: 'same kernel, a submit and readback after every step', target: 20, runs: RUNS, warmup: WARMUP, oursBytes });
  report({ case: name, ours: ours.median, peer: fastSteps.median, ratio: fastSteps.median / ours.median, unit: 'ms', peerName: 'fast plan per step, readback after every step', runs: RUNS, warmup: WARMUP, oursBytes });
  report({ case: name, ours: ours.median, peer: tfTime.median, ratio: tfTime.median / ours.median, unit: 'ms', peerName: 'TF.js WebGPU', runs: RUNS, warmup: WARMUP, oursBytes });
}

// --- memory over a long run ----------------------------------------------------------------------

/**
 * Peak memory (max RSS) of the command training the seed's network for `iterations`, in a fresh
 * Node process each, so nothing else this benchmark did is counted. A run keeps only what it prints
 * and saves, so the peak should not grow with the number of iterations.
 */
function cliPeakMB(iterations: number, cpu: boolean): number {
  const cli = new URL('./cli.js', import.meta.url).href;
  const argv = ['train', ...(cpu ? ['--cpu'] : []), '--iterations', String(iterations), '--log-every', String(iterations)];
  const script =
    `const { main } = await import(${JSON.stringify(cli)});` +
    `const code = await main(${JSON.stringify(argv)}, { ...(await import(${JSON.stringify(cli)})).nodeIO(), out: () => {}, err: () => {} });` +
    `process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + ' ' + code + '\\n'); process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const m = /maxRSS (\d+) (\d+)/.exec(r.stderr);
  if (!m || m[2] !== '0') throw new Error(`bench: the command failed for ${iterations} iterations: ${r.stderr.slice(-400)}`);
  return Number(m[1]) / 1024;
}

function benchMemory(): void {
  for (const cpu of [true, false]) {
    const small = 10_000;
    const large = cpu ? (quick ? 100_000 : 10_000_000) : quick ? 20_000 : 1_000_000;
    const before = cliPeakMB(small, cpu);
    const after = cliPeakMB(large, cpu);
    report({
      case: `peak memory of backprop train${cpu ? ' --cpu' : ''}, ${large.toLocaleString('en')} iterations`,
      ours: after,
      peer: before,
      ratio: before / after,
      unit: 'MB',
      peerName: `${small.toLocaleString('en')} iterations`,
      runs: 1,
      warmup: 0,
      note: `max RSS of a fresh process; the difference is ${(after - before).toFixed(1)} MB`,
    });
  }
}

// --- main --------------------------------------------------------------------------------------

const ctx = await createNodeGpuContext({ maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 });
const tf = await tfjs(await nodeGpu());
const started = performance.now();
process.stderr.write(`bench: ${ctx.adapterName}; TF.js ${tf.version_core} (${tf.getBackend()}); warm-up ${WARMUP}, median of ${RUNS}${quick ? ' (quick)' : ''}\n`);
await benchMatmul(ctx, tf);
await benchTraining(ctx, tf);
await benchSeed(ctx, tf);
benchMemory();
const seconds = (performance.now() - started) / 1000;

if (!opts.json) {
  const head = ['case', 'peer', 'ours', 'peer', 'unit', 'ratio', 'target', 'GPU memory ours / peer'];
  const mb = (b?: number): string => (b === undefined ? '–' : b < 2 ** 20 ? `${(b / 1024).toFixed(1)} KB` : `${(b / 2 ** 20).toFixed(2)} MB`);
  const table = rows.map((r) => [
    r.case,
    r.peerName,
    fmt(r.ours),
    fmt(r.peer),
    r.unit,
    `${r.ratio.toFixed(1)}×`,
    r.target ? `≥ ${r.target}× ${r.ratio >= r.target ? 'met' : 'MISSED'}` : '',
    `${mb(r.oursBytes)} / ${mb(r.peerBytes)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`adapter: ${ctx.adapterName}; warm-up ${WARMUP} run, median of ${RUNS}; ${seconds.toFixed(0)} s`);
  console.log(line(head));
  for (const t of table) console.log(line(t));
}
if (opts.save) {
  mkdirSync(dirname(opts.save), { recursive: true });
  writeFileSync(
    opts.save,
    `${JSON.stringify({ date: new Date().toISOString(), adapter: ctx.adapterName, node: process.version, tfjs: tf.version_core, runs: RUNS, warmup: WARMUP, quick, seconds, rows }, null, 1)}\n`,
  );
}
ctx.destroy();
process.exit(0);
