// The benchmark's cases, the same in Node (bench/bench.ts, Dawn) and in a browser (bench.html, the
// visitor's own GPU): the adapter's ceiling, matmuls of every shape the trainers run, MLP training
// and the seed's program, ours against TF.js and jax-js on the same adapter, side by side: a case's
// contenders (and, for a matmul, the ceiling kernel again) run in turns, a warm-up round, then the
// median of several rounds (bench/stats.ts).

import { datasetFromRows, type Dataset } from '../src/data/dataset.js';
import { streetlights4 } from '../src/data/streetlights.js';
import type { GpuContext } from '../src/gpu/context.js';
import { runRepeated, type Dispatch } from '../src/gpu/dispatch.js';
import { calibrate } from '../src/gpu/timing.js';
import { matmul } from '../src/kernels/matmul.js';
import { candidates, type FastForm } from '../src/kernels/matmulFast/variants.js';
import { matmulFast, type FastMatmulArgs } from '../src/kernels/matmulFast/build.js';
import { matmulFastFor, SET_ASIDE_NOTE, warmUp } from '../src/kernels/matmulFast/tuner.js';
import { seededWeights } from '../src/net/init.js';
import { resolveConfig, type TrainConfig } from '../src/train/config.js';
import { CpuExecutor } from '../src/train/cpuExecutor.js';
import { GpuTrainer } from '../src/train/gpuTrainer.js';
import { createTrainer } from '../src/train/trainer.js';
import { checkProduct } from './check.js';
import { ceilingRun, describeCeiling, measureCeiling, type Ceiling } from './ceiling.js';
import { tfGpuBytes, type Jax, type Peers, type Tf } from './peers.js';
import { time, timeInTurns, values, type Timing } from './stats.js';

export interface Row {
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
  /** Matmuls: the adapter's ceiling (GFLOPS: the higher of the run's and the one timed in turns with the case) and ours as a fraction of it. */
  ceiling?: number;
  ofCeiling?: number;
  /** Which matmul kernel ours ran: the one chosen for this adapter, or in an "each kernel" row the one timed. */
  variant?: string;
  /** Matmuls: products per timed run, for every contender (more on a GPU fast enough to need them). */
  repeat?: number;
  /** Matmuls: ours' output against float64 on a sample of entries, on this adapter (bench/check.ts). */
  check?: { ok: boolean; text: string };
  note?: string;
}

/** A ratio as the tables show it: one decimal from 1 up, 2 significant digits below (a kernel at 0.0093× is not 0.0×). */
export function ratioText(x: number): string {
  return `${x >= 1 ? x.toFixed(1) : x.toPrecision(2)}×`;
}

/** A figure as the tables show it: 3 significant digits below 1, 2 decimals below 100, whole above. */
export function figure(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

export interface BenchEnv {
  ctx: GpuContext;
  peers: Peers;
  quick: boolean;
  /** Add 2048³ and 4096³ (where the adapter's limits allow them). */
  large: boolean;
  runs: number;
  warmup: number;
  report(row: Row): void;
  /** Progress for a person watching (stderr, or the page's status line). */
  say?(line: string): void;
  /** Only these groups of cases (ceiling, matmul, training, seed); all when absent. */
  only?: readonly string[];
  /** Matmuls: also every kernel variant this adapter could run for the shape, timed in turns, one row each. */
  variants?: boolean;
}

/** Every case in order; returns the ceiling. */
export async function runCases(env: BenchEnv): Promise<Ceiling> {
  const wanted = (group: string): boolean => !env.only || env.only.includes(group);
  const ceiling = await benchCeiling(env);
  if (wanted('matmul')) await benchMatmul(env, ceiling);
  if (wanted('training')) await benchTraining(env);
  if (wanted('seed')) await benchSeed(env);
  return ceiling;
}

/** Rows for each peer, then one against the best of them, which carries the target. */
function reportPeers(env: BenchEnv, base: Omit<Row, 'peer' | 'ratio' | 'peerName' | 'target'>, peers: { name: string; value: number; bytes?: number }[], higherIsBetter: boolean, target?: number): void {
  const ratio = (peer: number): number => (higherIsBetter ? base.ours / peer : peer / base.ours);
  for (const p of peers) env.report({ ...base, peer: p.value, ratio: ratio(p.value), peerName: p.name, ...(p.bytes !== undefined ? { peerBytes: p.bytes } : {}) });
  const best = peers.reduce((a, b) => ((higherIsBetter ? b.value > a.value : b.value < a.value) ? b : a));
  env.report({ ...base, peer: best.value, ratio: ratio(best.value), peerName: `best peer: ${best.name}`, ...(target ? { target } : {}) });
}

// --- the ceiling -----------------------------------------------------------------------------

async function benchCeiling(env: BenchEnv): Promise<Ceiling> {
  env.say?.('the adapter ceiling');
  const c = await measureCeiling(env.ctx, env.runs, env.quick);
  env.report({
    case: 'adapter ceiling: independent multiply-adds in registers, no memory (shaders/ceiling.wgsl)',
    ours: c.gflops,
    peer: c.gflops,
    ratio: 1,
    unit: 'GFLOPS',
    peerName: 'the adapter itself',
    runs: env.runs,
    warmup: 1,
    ceiling: c.gflops,
    ofCeiling: 1,
    note: describeCeiling(c),
  });
  return c;
}

// --- matmul ----------------------------------------------------------------------------------

interface Shape {
  name: string;
  form: FastForm;
  M: number;
  K: number;
  N: number;
  /** Products per timed run, so small shapes run long enough to measure (at least; see benchMatmul). */
  repeat: number;
}

export function matmulShapes(quick: boolean, large: boolean): Shape[] {
  if (quick) return [{ name: 'matmul 64×64×64', form: 'forward', M: 64, K: 64, N: 64, repeat: 2 }];
  return [
    { name: 'matmul 256×256×256', form: 'forward', M: 256, K: 256, N: 256, repeat: 8 },
    { name: 'matmul 512×512×512', form: 'forward', M: 512, K: 512, N: 512, repeat: 2 },
    { name: 'matmul 1024×1024×1024', form: 'forward', M: 1024, K: 1024, N: 1024, repeat: 1 },
    ...(large
      ? [
          { name: 'matmul 2048×2048×2048', form: 'forward', M: 2048, K: 2048, N: 2048, repeat: 1 } as Shape,
          { name: 'matmul 4096×4096×4096', form: 'forward', M: 4096, K: 4096, N: 4096, repeat: 1 } as Shape,
        ]
      : []),
    { name: 'matmul MNIST forward layer_0·W (100×784)·(784×128)', form: 'forward', M: 100, K: 784, N: 128, repeat: 10 },
    { name: 'matmul MNIST backward delta·Wᵀ (100×128)·(128×784)', form: 'backward', M: 100, K: 128, N: 784, repeat: 10 },
    { name: 'matmul MNIST gradient layer_0ᵀ·delta (784×100)·(100×128)', form: 'gradient', M: 784, K: 100, N: 128, repeat: 10 },
  ];
}

/** Operand shapes as stored: forward a (M,K) b (K,N); backward a (M,K) b (N,K); gradient a (K,M) b (K,N). */
function operands(s: Shape): { aRows: number; aCols: number; bRows: number; bCols: number } {
  if (s.form === 'forward') return { aRows: s.M, aCols: s.K, bRows: s.K, bCols: s.N };
  if (s.form === 'backward') return { aRows: s.M, aCols: s.K, bRows: s.N, bCols: s.K };
  return { aRows: s.K, aCols: s.M, bRows: s.K, bCols: s.N };
}

/** Whether the adapter can hold the shape's three matrices. */
function fits(ctx: GpuContext, s: Shape): boolean {
  const o = operands(s);
  const biggest = 4 * Math.max(o.aRows * o.aCols, o.bRows * o.bCols, s.M * s.N);
  return biggest <= ctx.limits.maxStorageBufferBindingSize && biggest <= ctx.limits.maxBufferSize;
}

type JaxArray = ReturnType<Jax['numpy']['array']>;

async function benchMatmul(env: BenchEnv, ceiling: Ceiling): Promise<void> {
  const { ctx, peers } = env;
  const { tf, jax } = peers;
  const np = jax.numpy;
  for (const s of matmulShapes(env.quick, env.large)) {
    if (!fits(ctx, s)) {
      env.say?.(`${s.name}: skipped, beyond this adapter's buffer limits`);
      continue;
    }
    env.say?.(s.name);
    const o = operands(s);
    const a = values(o.aRows * o.aCols, 1);
    const b = values(o.bRows * o.bCols, 2);
    const before = ctx.stats().bytes;
    const ga = ctx.storage('a', a);
    const gb = ctx.storage('b', b);
    const gc = ctx.storage('c', s.M * s.N);
    const unused = ctx.storage('unused', 4);
    const unusedBias = ctx.storage('unusedBias', 4);
    // Ours: the variant this adapter measured fastest for the shape (register-blocked or tiled).
    const args: FastMatmulArgs = { label: s.name, form: s.form, epilogue: 'store', a: ga, b: gb, c: gc, unusedMask: unused, unusedBias, M: s.M, K: s.K, N: s.N };
    const fast = await matmulFastFor(ctx, args);
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
    // Products per timed run: the shape's own, or more where ours would be over too soon to time
    // from the CPU (a real GPU does 1024³ in well under a millisecond, less than a submit's round
    // trip). Every contender runs as many.
    const repeat = await calibrate((n) => runRepeated(ctx, fast, n), s.repeat, env.quick ? 10 : 50, 1024);
    const flops = 2 * s.M * s.K * s.N * repeat;

    // TF.js: its matMul with the transposes as flags; waited for by reading the last product.
    const ta = tf.tensor2d(a, [o.aRows, o.aCols]);
    const tb = tf.tensor2d(b, [o.bRows, o.bCols]);
    // jax-js: a jitted np.matmul (the transposes inside the jit), each product waited for with blockUntilReady.
    const ja = np.array(a).reshape([o.aRows, o.aCols]);
    const jb = np.array(b).reshape([o.bRows, o.bCols]);
    const product = jax.jit((x: JaxArray, y: JaxArray) =>
      np.matmul(s.form === 'gradient' ? np.transpose(x) : x, s.form === 'backward' ? np.transpose(y) : y),
    );
    // And the adapter's ceiling again, in turns with the rest. A case's ceiling is the higher of
    // this and the run's first measure: a slow spell of the machine during either never flatters
    // the fraction.
    const ceilingAgain = await ceilingRun(ctx, ceiling);
    const timed = await timeInTurns(
      {
        ours: () => runRepeated(ctx, fast, repeat),
        naive: () => runRepeated(ctx, naive, repeat),
        tf: async () => {
          const outs: ReturnType<Tf['matMul']>[] = [];
          for (let i = 0; i < repeat; i++) outs.push(tf.matMul(ta, tb, s.form === 'gradient', s.form === 'backward'));
          await outs.at(-1)!.data();
          for (const t of outs) t.dispose();
        },
        jax: async () => {
          const outs: JaxArray[] = [];
          for (let i = 0; i < repeat; i++) outs.push(product(ja.ref, jb.ref));
          // jax-js is lazy: an array never waited for may never be computed, so every one is.
          await Promise.all(outs.map((t) => t.blockUntilReady()));
          for (const t of outs) t.dispose();
        },
        ceiling: ceilingAgain.run,
      },
      env.runs,
      env.warmup,
    );
    const tfBytes = tfGpuBytes(tf);
    // The product ours computes, checked: once more on its own, so the naive kernel's output (same
    // buffer) is not what is read.
    await runRepeated(ctx, fast, 1);
    const checked = checkProduct(await ctx.read(gc), a, b, s.form, s.M, s.K, s.N);
    if (!checked.ok) env.say?.(`${s.name}: WRONG RESULTS from ${fast.variant}: ${checked.text}`);
    ta.dispose();
    tb.dispose();
    ja.dispose();
    jb.dispose();
    ceilingAgain.destroy();
    const here = Math.max(ceiling.gflops, ceilingAgain.flops / timed.ceiling.median / 1e6);

    const gf = (t: Timing): number => flops / t.median / 1e6;
    const base = {
      case: s.name,
      ours: gf(timed.ours),
      unit: 'GFLOPS',
      runs: env.runs,
      warmup: env.warmup,
      oursBytes,
      ceiling: here,
      ofCeiling: gf(timed.ours) / here,
      variant: fast.variant,
      repeat,
      check: { ok: checked.ok, text: checked.text },
    };
    reportPeers(env, base, [
      { name: 'TF.js WebGPU', value: gf(timed.tf), bytes: tfBytes },
      { name: 'jax-js WebGPU (jit)', value: gf(timed.jax) },
    ], true, 10);
    env.report({ ...base, peer: gf(timed.naive), ratio: gf(timed.ours) / gf(timed.naive), peerName: 'naive WGSL (shaders/matmul.wgsl)' });
    if (env.variants) await benchVariants(env, s, args, { a, b, repeat, ceiling: here, chosen: fast.variant, chosenGflops: gf(timed.ours) });
    for (const buffer of [ga, gb, gc, unused, unusedBias, ...fast.owned, ...naive.owned]) ctx.destroyBuffer(buffer);
  }
}

/**
 * Every variant the adapter could run for the shape (the candidates its first use measures),
 * timed in turns with as many products per run as the case (a timed warm-up round, then the
 * median of the runs), each product checked: one row each, against the variant chosen. Which
 * kernel wins where, and by how much, on this adapter.
 */
async function benchVariants(
  env: BenchEnv,
  s: Shape,
  args: FastMatmulArgs,
  run: { a: Float32Array; b: Float32Array; repeat: number; ceiling: number; chosen?: string; chosenGflops: number },
): Promise<void> {
  const { ctx } = env;
  const built: Dispatch[] = [];
  for (const variant of candidates(ctx, s.M, s.N)) built.push(await matmulFast(ctx, { ...args, label: `${s.name} (each kernel)`, variant }));
  try {
    // The timed warm-up round sets the slow ones aside, by the trainer's own rule; they keep that one time.
    const { times: once, aside: hopeless } = await warmUp(ctx, built, run.repeat);
    const contenders = Object.fromEntries(built.flatMap((d, i) => (hopeless[i] ? [] : [[String(i), () => runRepeated(ctx, d, run.repeat)]])));
    const timed = await timeInTurns(contenders, env.runs, 0);
    const flops = 2 * s.M * s.K * s.N * run.repeat;
    const gflops = built.map((_, i) => flops / (hopeless[i] ? once[i]! : timed[String(i)]!.median) / 1e6);
    // The chosen one as timed here, in turns with the rest (else as timed against the peers).
    const chosen = built.findIndex((d) => d.variant === run.chosen);
    const chosenGflops = chosen >= 0 ? gflops[chosen]! : run.chosenGflops;
    for (const [i, d] of built.entries()) {
      await runRepeated(ctx, d, 1);
      const checked = checkProduct(await ctx.read(args.c), run.a, run.b, s.form, s.M, s.K, s.N);
      if (!checked.ok) env.say?.(`${s.name}: WRONG RESULTS from ${d.variant}: ${checked.text}`);
      env.report({
        case: `${s.name}, each kernel`,
        ours: gflops[i]!,
        peer: chosenGflops,
        ratio: gflops[i]! / chosenGflops,
        unit: 'GFLOPS',
        peerName: `the one chosen: ${run.chosen ?? '?'}`,
        runs: hopeless[i] ? 1 : env.runs,
        warmup: hopeless[i] ? 0 : 1,
        ceiling: run.ceiling,
        ofCeiling: gflops[i]! / run.ceiling,
        variant: d.variant,
        repeat: run.repeat,
        check: { ok: checked.ok, text: checked.text },
        ...(hopeless[i] ? { note: SET_ASIDE_NOTE } : {}),
      });
    }
  } finally {
    for (const d of built) for (const buffer of d.owned) ctx.destroyBuffer(buffer);
  }
}

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

/**
 * The same network in jax-js, as its users write it: the loss as a function of the weights, its
 * gradient by grad(), and the whole SGD step (forward, backward, update) compiled by jit().
 */
function jaxModel(jax: Jax, layers: readonly number[], weights: Float64Array[], alpha: number, rows: number) {
  const np = jax.numpy;
  let ws: JaxArray[] = weights.map((w, l) => np.array(Float32Array.from(w)).reshape([layers[l]!, layers[l + 1]!]));
  const loss = (params: JaxArray[], x: JaxArray, y: JaxArray): JaxArray => {
    let h = x;
    params.forEach((w, l) => {
      h = np.matmul(h, w);
      if (l + 1 < params.length) h = jax.nn.relu(h);
    });
    return np.sum(np.square(h.sub(y))).mul(1 / (2 * rows));
  };
  const step = jax.jit((params: JaxArray[], x: JaxArray, y: JaxArray): JaxArray[] => {
    const grads = jax.grad((p: JaxArray[]) => loss(p, x, y))(params.map((w) => w.ref)) as JaxArray[];
    return params.map((w, l) => w.sub(grads[l]!.mul(alpha)));
  });
  return {
    step: (x: JaxArray, y: JaxArray): void => {
      ws = step(ws, x, y);
    },
    // Every weight matrix waited for: jax-js is lazy, and a matrix nothing reads might never be computed.
    ready: () => Promise.all(ws.map((w) => w.blockUntilReady())),
    dispose: () => ws.forEach((w) => w.dispose()),
  };
}

async function benchTraining(env: BenchEnv): Promise<void> {
  const { ctx, peers, quick } = env;
  const { tf, jax } = peers;
  const layers = quick ? [16, 8, 4] : [784, 128, 10];
  const examples = quick ? 40 : 1000;
  const baseEpochs = quick ? 1 : 2;
  const dataset = randomDigits(examples, layers[0]!, layers.at(-1)!);
  const config: TrainConfig = resolveConfig({ layers, mode: 'batch', batchSize: quick ? 10 : 100, alpha: 0.01, iterations: baseEpochs, seed: 1 }, dataset);
  const weights = seededWeights(layers, 1).map((w) => w.map((v) => v * 0.05));
  const name = `training ${layers.join('-')} ReLU, batch ${config.batchSize}, SGD, squared error`;
  env.say?.(name);

  const before = ctx.stats().bytes;
  const trainer = await GpuTrainer.create(ctx, config, dataset, weights, { plan: 'fast' });
  const oursBytes = ctx.stats().bytes - before;
  // Epochs per timed run: more where ours would be done too soon to time from the CPU (a real GPU
  // trains 2,000 examples in a few ms, about a readback's round trip); every GPU contender runs as
  // many. Not in a quick run, a smoke test, where TF.js would take seconds more in each browser.
  const epochs = quick ? baseEpochs : await calibrate((n) => trainer.runIterations(n), baseEpochs, 100, 50);
  const bs = config.batchSize;
  const batches: { x: Float32Array; y: Float32Array }[] = [];
  for (let start = 0; start < examples; start += bs) {
    batches.push({
      x: dataset.inputs.subarray(start * layers[0]!, (start + bs) * layers[0]!) as Float32Array,
      y: dataset.targets.subarray(start * layers.at(-1)!, (start + bs) * layers.at(-1)!) as Float32Array,
    });
  }

  const model = tfModel(tf, layers, weights, config.alpha);
  const xs = batches.map((b) => tf.tensor2d(b.x, [bs, layers[0]!]));
  const ys = batches.map((b) => tf.tensor2d(b.y, [bs, layers.at(-1)!]));
  const np = jax.numpy;
  const jaxNet = jaxModel(jax, layers, weights, config.alpha, bs);
  const jxs = batches.map((b) => np.array(b.x).reshape([bs, layers[0]!]));
  const jys = batches.map((b) => np.array(b.y).reshape([bs, layers.at(-1)!]));
  // Ours, TF.js and jax-js in turns, each the same epochs over the same batches.
  const timed = await timeInTurns(
    {
      ours: async () => void (await trainer.runIterations(epochs)),
      tf: async () => {
        for (let e = 0; e < epochs; e++) {
          for (let b = 0; b < xs.length; b++) {
            const cost = tf.tidy(() => model.step(xs[b]!, ys[b]!, bs));
            cost.dispose();
          }
        }
        await model.ws.at(-1)!.data();
      },
      jax: async () => {
        for (let e = 0; e < epochs; e++) for (let b = 0; b < jxs.length; b++) jaxNet.step(jxs[b]!.ref, jys[b]!.ref);
        await jaxNet.ready();
      },
    },
    env.runs,
    env.warmup,
  );
  const tfBytes = tfGpuBytes(tf);
  trainer.destroy();
  model.dispose();
  jaxNet.dispose();
  for (const t of [...xs, ...ys, ...jxs, ...jys]) t.dispose();

  // The CPU path its base epochs: a GPU's count of them could take minutes here.
  const cpuTime = await time(async () => void new CpuExecutor(config, dataset, weights).runIterations(baseEpochs), quick ? 1 : Math.min(env.runs, 3), quick ? 0 : 1);
  const rate = (t: Timing, n = epochs): number => (examples * n) / (t.median / 1000);
  const base = { case: name, ours: rate(timed.ours), unit: 'examples/s', runs: env.runs, warmup: env.warmup, oursBytes, note: `${epochs} epoch${epochs === 1 ? '' : 's'} of ${examples} examples per timed run` };
  reportPeers(env, base, [
    { name: 'TF.js WebGPU', value: rate(timed.tf), bytes: tfBytes },
    { name: 'jax-js WebGPU (grad + jit)', value: rate(timed.jax) },
  ], true, 10);
  env.report({ ...base, peer: rate(cpuTime, baseEpochs), ratio: rate(timed.ours) / rate(cpuTime, baseEpochs), peerName: 'CPU path (float64 reference)', runs: cpuTime.runs, warmup: cpuTime.warmup });
}

// --- the seed's program ----------------------------------------------------------------------

async function benchSeed(env: BenchEnv): Promise<void> {
  const { ctx, peers } = env;
  const { tf } = peers;
  const dataset = streetlights4();
  // A quick run takes 10 of the seed's 60 iterations: a readback after every step costs a fraction
  // of a second in some browsers (Firefox), and the quick run is an e2e test in each engine.
  const iterations = env.quick ? 10 : 60;
  const config = resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations, seed: 1, logEvery: 10 }, dataset);
  const weights = seededWeights(config.layers, 1);
  const name = `the seed's two-layer program (${iterations} iterations, stochastic)`;
  env.say?.(name);
  let oursBytes = 0;
  // A submit and a readback of the weights after every step, with the same kernel, and with the
  // fast plan's per-step kernels.
  const stepByStep = (plan: 'resident' | 'fast') => async (): Promise<void> => {
    const t = await createTrainer(ctx, config, dataset, weights, plan);
    for (let s = 0; s < iterations * dataset.rows; s++) {
      await t.run(1);
      await t.readWeights();
    }
    t.destroy();
  };
  const timed = await timeInTurns(
    {
      // Ours, as the CLI runs it (plan auto: resident for this network): one submit per log point.
      ours: async () => {
        const before = ctx.stats().bytes;
        const t = await createTrainer(ctx, config, dataset, weights, 'auto');
        oursBytes = ctx.stats().bytes - before;
        for (let i = 0; i < iterations / 10; i++) await t.runIterations(10);
        await t.readWeights();
        t.destroy();
      },
      sameKernel: stepByStep('resident'),
      fastSteps: stepByStep('fast'),
      // TF.js: the seed's loop, one example per step, the error summed on the GPU, read every 10 iterations.
      tf: async () => {
        const model = tfModel(tf, config.layers, weights, config.alpha);
        const xs = Array.from({ length: 4 }, (_, i) => tf.tensor2d(dataset.inputs.subarray(i * 3, i * 3 + 3), [1, 3]));
        const ys = Array.from({ length: 4 }, (_, i) => tf.tensor2d(dataset.targets.subarray(i, i + 1), [1, 1]));
        for (let it = 0; it < iterations; it++) {
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
    },
    env.runs,
    env.warmup,
  );
  const { ours, sameKernel, fastSteps, tf: tfTime } = timed;
  const base = { case: name, ours: ours.median, unit: 'ms', runs: env.runs, warmup: env.warmup, oursBytes };
  env.report({ ...base, peer: sameKernel.median, ratio: sameKernel.median / ours.median, peerName: 'same kernel, a submit and readback after every step', target: 20 });
  env.report({ ...base, peer: fastSteps.median, ratio: fastSteps.median / ours.median, peerName: 'fast plan per step, readback after every step' });
  env.report({ ...base, peer: tfTime.median, ratio: tfTime.median / ours.median, peerName: 'TF.js WebGPU' });
}
