// `backprop export`: train.py run by PyTorch itself (Debian's python3-torch, which .ci/run installs)
// must print what `backprop train` prints, in one process and in two (DistributedDataParallel on
// gloo); the ONNX model must give our forward pass in onnxruntime-node (npm). Three runs: the seed's
// two-layer program; a mini-batch run with what the seed lacks (biases, tanh, shuffling, a smaller
// last batch, alpha decay); and a 784-128-10 softmax net on 300 real digits, shifted each epoch.
// Compared under docs/verification.md: float64 PyTorch against the float64 CPU reference to 1e-9
// relative (only the order of sums differs), float32 PyTorch against the GPU to 1e-4 relative (the
// policy's bound for a whole run's errors), and an ONNX output against the float64 forward pass of
// the same float32 weights within the matmul rule, carried through the layers.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { CpuNetwork } from '../../src/cpu/network.js';
import { decodeNpy } from '../../src/data/npy.js';
import { decodeWeightsJson } from '../../src/data/weightsFile.js';
import { encodeOnnx } from '../../src/export/onnx.js';
import { pytorchFiles, trainPy } from '../../src/export/pytorch.js';
import { BUILTIN_DATASETS } from '../../src/data/streetlights.js';
import { resolveConfig } from '../../src/train/config.js';
import { activationOf } from '../../src/ops/activations/index.js';
import { seededWeights } from '../../src/net/init.js';
import { run } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'backprop-export-'));
/** Debian's python3 with Debian's python3-torch (.ci/run installs it). */
const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;
const EPS32 = 2 ** -24;

/** The first `n` images and labels of the embedded MNIST files, as a directory of IDX files. */
function smallDigits(train: number, test: number): string {
  const out = mkdtempSync(join(tmpdir(), 'backprop-digits-'));
  const part = (file: string, n: number, header: number, size: number): void => {
    const whole = gunzipSync(readFileSync(join('public/data/mnist', `${file}.gz`)));
    const bytes = Uint8Array.from(whole.subarray(0, header + n * size));
    new DataView(bytes.buffer).setUint32(4, n); // the count, big-endian as IDX stores it
    writeFileSync(join(out, file), bytes);
  };
  part('train-images-idx3-ubyte', train, 16, 784);
  part('train-labels-idx1-ubyte', train, 8, 1);
  part('t10k-images-idx3-ubyte', test, 16, 784);
  part('t10k-labels-idx1-ubyte', test, 8, 1);
  return out;
}

/** Runs train.py in Debian's python3; its JSON lines. */
function python(script: string, ...args: string[]): Record<string, number>[] {
  const result = spawnSync('/usr/bin/python3', [script, '--json', ...args], { encoding: 'utf8', timeout: 120_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
}

/** Starts `world` processes of train.py with the environment torchrun gives them; rank 0's JSON lines. */
async function asTorchrun(script: string, world: number): Promise<Record<string, number>[]> {
  const port = String(29_500 + (process.pid % 1000));
  const ranks = Array.from({ length: world }, (_, rank) => {
    const env = { ...process.env, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: port };
    const child = spawn('/usr/bin/python3', [script, '--json'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  });
  const results = await Promise.all(ranks);
  results.forEach((r) => expect(r.code, r.stderr).toBe(0));
  expect(results[1]!.stdout).toBe(''); // only rank 0 prints
  return results[0]!.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
}

/** `backprop train ... --json`'s lines before the summary. */
async function ours(...args: string[]): Promise<Record<string, number>[]> {
  const r = await run('train', ...args, '--json');
  expect(r.code, r.err.join('\n')).toBe(0);
  return r.out.slice(0, -1).map((line) => JSON.parse(line) as Record<string, number>);
}

/** Every number of every line within `relative` of ours (accuracies within `rows` examples). */
function expectSame(theirs: Record<string, number>[], mine: Record<string, number>[], relative: number, accuracySlack = 0): void {
  expect(theirs.length).toBe(mine.length);
  theirs.forEach((line, i) => {
    const other = mine[i]!;
    expect(Object.keys(line).sort()).toEqual(Object.keys(other).sort());
    for (const [key, value] of Object.entries(line)) {
      const want = other[key]!;
      if (key === 'iteration' || key === 'epoch') expect(value).toBe(want);
      else if (/Accuracy/.test(key)) expect(Math.abs(value - want), `${key} of line ${i}`).toBeLessThanOrEqual(accuracySlack + 1e-12);
      else expect(Math.abs(value - want), `${key} of line ${i}: ${value} vs ${want}`).toBeLessThanOrEqual(relative * Math.abs(want));
    }
  });
}

describe('train.py', () => {
  test('the settings block is the run: every setting rewritten, the rest of the file as written', () => {
    const dataset = BUILTIN_DATASETS['streetlights']!();
    const config = resolveConfig({ layers: [3, 5, 1], alpha: 0.05, iterations: 7, seed: 3, batchSize: 4, bias: true, shuffle: true, activation: 'tanh', alphaDecay: 0.9, logEvery: 2 }, dataset);
    const text = trainPy({ config, dataset, weights: [], description: 'a test\nwith a newline' });
    for (const line of ['LAYERS = [3, 5, 1]', "ACTIVATION = 'tanh'", 'BIAS = True', "MODE = 'batch'", 'BATCH_SIZE = 4', 'ALPHA = 0.05', 'ALPHA_DECAY = 0.9', 'ITERATIONS = 7', 'LOG_EVERY = 2', 'SEED = 3', 'SHUFFLE = True', 'LABELLED = False']) {
      expect(text).toMatch(new RegExp(`^${line.replace(/[[\]]/g, '\\$&')} +#`, 'm'));
    }
    expect(text).toMatch(/^# RUN: a test with a newline$/m);
    const files = pytorchFiles({ config, dataset, weights: [...seededWeights([3, 5, 1], 3), new Float64Array(5), new Float64Array(1)], description: 'x' });
    expect(files.map((f) => f.name)).toEqual(['train.py', 'inputs.npy', 'targets.npy', 'weights_0_1.npy', 'weights_1_2.npy', 'bias_0_1.npy', 'bias_1_2.npy']);
    expect(decodeNpy('w', files[3]!.bytes).shape).toEqual([3, 5]);
    expect(decodeNpy('b', files[5]!.bytes).shape).toEqual([5]);
    // Starting weights are float64, so --float64 starts exactly where --cpu does.
    expect(Array.from(decodeNpy('w', files[3]!.bytes).values)).toEqual(Array.from(seededWeights([3, 5, 1], 3)[0]!));
  });

  test('export is refused in one line when it has nothing to write or is given train-only options', async () => {
    expect((await run('export')).err[0]).toMatch(/^backprop: backprop export needs --pytorch <dir> or --onnx <file>/);
    expect((await run('export', '--onnx', join(dir, 'm.onnx'), '--save', 'w.json')).err[0]).toMatch(/--save is an option of backprop train; backprop export trains nothing/);
    expect((await run('train', '--pytorch', dir)).err[0]).toMatch(/--pytorch is an option of backprop export/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const onFile = await run('export', '--pytorch', file);
    expect(onFile.code).toBe(1);
    expect(onFile.err[0]).toMatch(/--pytorch ".*a-file": it is a file, not a directory/);
    const inDir = await run('export', '--onnx', dir);
    expect(inDir.err[0]).toMatch(/--onnx ".*": it is a directory; --onnx writes only regular files/);
  });

  test.skipIf(!torch)("the seed's two-layer program: PyTorch prints our errors, in one process and in two", async () => {
    const out = join(dir, 'seed');
    const exported = await run('export', '--pytorch', out);
    expect(exported.code, exported.err.join('\n')).toBe(0);
    expect(exported.out[0]).toMatch(/train\.py: 3-4-1 on streetlights-4, stochastic, 4 \.npy files beside it/);
    const script = join(out, 'train.py');
    expectSame(python(script, '--float64'), await ours('--cpu'), 1e-9);
    const one = python(script);
    expectSame(one, await ours(), 1e-4);
    // Two processes, each with its share of every batch (here one example: one of them has none).
    expectSame(python(script, '--processes', '2'), one, 1e-6);
    // The text lines are the seed's.
    const text = spawnSync('/usr/bin/python3', [script, '--float64'], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(text[0]).toBe('Error:0.6342311598444467');
    expect(text).toHaveLength(6);
  });

  test.skipIf(!torch)('a mini-batch run with biases, tanh, shuffling, a smaller last batch and alpha decay', async () => {
    const options = ['--dataset', 'streetlights', '--layers', '3,5,1', '--batch-size', '4', '--bias', '--shuffle', '--activation', 'tanh', '--alpha', '0.3', '--alpha-decay', '0.95', '--iterations', '40', '--log-every', '5', '--seed', '7'];
    const out = join(dir, 'batch');
    expect((await run('export', '--pytorch', out, ...options)).code).toBe(0);
    const script = join(out, 'train.py');
    expectSame(python(script, '--float64'), await ours('--cpu', ...options), 1e-9);
    const one = python(script);
    expectSame(one, await ours(...options), 1e-4);
    expectSame(python(script, '--processes', '2'), one, 1e-5);
    // As torchrun starts it: every process given RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT.
    expectSame(await asTorchrun(script, 2), one, 1e-5);
  });

  test.skipIf(!torch)('784-128-10 on 300 real digits, softmax, shifted and shuffled: the same accuracies and losses per epoch', async () => {
    const digits = smallDigits(300, 100);
    const options = ['--dataset', digits, '--layers', '784,128,10', '--iterations', '3', '--shift', '1'];
    const out = join(dir, 'digits');
    expect((await run('export', '--pytorch', out, ...options)).code).toBe(0);
    const script = join(out, 'train.py');
    const cpu = await ours('--cpu', ...options);
    expect(cpu).toHaveLength(3);
    expect(cpu[2]!.testAccuracy).toBeGreaterThan(0.5);
    const f64 = python(script, '--float64');
    expectSame(f64, cpu, 1e-9);
    expectSame(python(script, '--float64', '--processes', '2'), f64, 1e-9);
    // float32 on both sides: an argmax near a tie may fall the other way, so accuracies within 2 of 300.
    expectSame(python(script), await ours(...options), 1e-4, 2 / 100);
  });
});

/**
 * How far a float32 forward pass may be from the float64 one, per output: each layer's matmul
 * within the tolerance rule K·2⁻¹²⁶ + 2·K·2⁻²⁴·Σ|a·b| (docs/verification.md), plus the bias add's
 * rounding, carried forward through |W| (relu is 1-Lipschitz); softmax moves each probability by at
 * most twice the largest change of a logit, plus a few ULP of its own.
 */
function forwardBound(layers: readonly number[], params: readonly Float64Array[], input: ArrayLike<number>, softmax: boolean): number[] {
  const matrices = layers.length - 1;
  let magnitude = Array.from(input, Math.abs);
  let error = new Array<number>(layers[0]!).fill(0);
  for (let l = 0; l < matrices; l++) {
    const [k, n] = [layers[l]!, layers[l + 1]!];
    const w = params[l]!;
    const b = params[matrices + l];
    const nextMagnitude = new Array<number>(n).fill(0);
    const nextError = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let carried = 0;
      for (let i = 0; i < k; i++) {
        sum += magnitude[i]! * Math.abs(w[i * n + j]!);
        carried += error[i]! * Math.abs(w[i * n + j]!);
      }
      const withBias = sum + (b ? Math.abs(b[j]!) : 0);
      nextMagnitude[j] = withBias;
      nextError[j] = carried + k * 2 ** -126 + 2 * k * EPS32 * sum + 2 * EPS32 * withBias;
    }
    magnitude = nextMagnitude;
    error = nextError;
  }
  if (!softmax) return error;
  const largest = Math.max(...error);
  return error.map(() => 2 * largest + 8 * EPS32);
}

describe('ONNX', () => {
  /** Runs an .onnx file in onnxruntime-node on `rows` rows of `inputs`. */
  async function onnxRuntime(bytes: Uint8Array, inputs: Float32Array, rows: number, width: number): Promise<Record<string, Float32Array>> {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['layer_0']);
    const result = await session.run({ layer_0: new ort.Tensor('float32', inputs.subarray(0, rows * width), [rows, width]) });
    return Object.fromEntries(Object.entries(result).map(([name, t]) => [name, t.data as Float32Array]));
  }

  /** Our float64 forward pass of the float32 weights, and the bound for each output. */
  function reference(layers: number[], weights: readonly ArrayLike<number>[], opts: { bias: boolean; softmax: boolean; activation: string }, inputs: Float32Array, rows: number) {
    const params = weights.map((w) => Float64Array.from(w, Math.fround));
    const net = new CpuNetwork(layers, params, rows, { bias: opts.bias, loss: opts.softmax ? 'softmax' : 'squared', activation: activationOf(opts.activation) });
    const z = net.forward(inputs, rows);
    const out = layers.at(-1)!;
    const values = Float64Array.from(z);
    if (opts.softmax) {
      for (let r = 0; r < rows; r++) {
        const row = values.subarray(r * out, (r + 1) * out);
        const max = Math.max(...row);
        const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
        row.forEach((v, j) => (row[j] = Math.exp(v - max) / sum));
      }
    }
    const bounds: number[] = [];
    for (let r = 0; r < rows; r++) bounds.push(...forwardBound(layers, params, inputs.subarray(r * layers[0]!, (r + 1) * layers[0]!), opts.softmax));
    return { values, bounds };
  }

  test("the seed's trained network: onnxruntime-node's prediction is our forward pass", async () => {
    const saved = join(dir, 'seed.onnx');
    const trained = await run('train', '--cpu', '--save', saved);
    expect(trained.code).toBe(0);
    const bytes = readFileSync(saved);
    const weightsFile = join(dir, 'seed.json');
    await run('train', '--cpu', '--save', weightsFile);
    const { weights } = decodeWeightsJson(weightsFile, readFileSync(weightsFile, 'utf8'));
    const data = BUILTIN_DATASETS['streetlights-4']!();
    const got = await onnxRuntime(bytes, data.inputs, data.rows, 3);
    expect(Object.keys(got)).toEqual(['prediction']);
    const { values, bounds } = reference([3, 4, 1], weights.map((w) => Float64Array.from(w)), { bias: false, softmax: false, activation: 'relu' }, data.inputs, data.rows);
    values.forEach((v, i) => expect(Math.abs(got['prediction']![i]! - v), `row ${i}`).toBeLessThanOrEqual(bounds[i]!));
    // The trained net predicts walk_vs_stop = 1, 1, 0, 0.
    expect(Array.from(got['prediction']!, Math.round)).toEqual([1, 1, 0, 0]);
  });

  test('784-128-10 trained on digits, exported with --load: probabilities and logits equal ours on the whole test set', async () => {
    const digits = smallDigits(300, 100);
    const weights = join(dir, 'digits.safetensors');
    const options = ['--dataset', digits, '--layers', '784,128,10', '--iterations', '2'];
    expect((await run('train', '--cpu', ...options, '--save', weights)).code).toBe(0);
    const model = join(dir, 'digits.onnx');
    const exported = await run('export', '--onnx', model, ...options, '--load', weights);
    expect(exported.code, exported.err.join('\n')).toBe(0);
    expect(exported.out[0]).toMatch(/digits\.onnx: input layer_0 \(batch, 784\), output probabilities \(batch, 10\) and logits \(batch, 10\)/);
    expect(exported.err).toEqual([]);
    const { decodeWeightsSafetensors } = await import('../../src/data/safetensors.js');
    const file = decodeWeightsSafetensors(weights, readFileSync(weights));
    const { idxTrainTest } = await import('../../src/data/idxSet.js');
    const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;
    const [a, b, c, d] = names.map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(digits, n))) }));
    const { test: testSet } = await idxTrainTest('digits', { trainImages: a!, trainLabels: b!, testImages: c!, testLabels: d! });
    const rows = testSet!.rows;
    const got = await onnxRuntime(readFileSync(model), testSet!.inputs, rows, 784);
    const ref = reference([784, 128, 10], file.weights.map((w) => Float64Array.from(w)), { bias: true, softmax: true, activation: 'relu' }, testSet!.inputs, rows);
    let largest = 0;
    ref.values.forEach((v, i) => {
      const diff = Math.abs(got['probabilities']![i]! - v);
      largest = Math.max(largest, diff);
      expect(diff, `output ${i}`).toBeLessThanOrEqual(ref.bounds[i]!);
    });
    expect(largest).toBeLessThan(1e-5);
    // The classes it picks are ours (a near-tie may fall either way: at most one row of 100).
    const picks = (values: ArrayLike<number>): number[] =>
      Array.from({ length: rows }, (_, r) => {
        const p = Array.from({ length: 10 }, (_, j) => values[r * 10 + j]!);
        return p.indexOf(Math.max(...p));
      });
    const theirs = picks(got['probabilities']!);
    const mine = picks(ref.values);
    expect(theirs.filter((c, r) => c !== mine[r]).length).toBeLessThanOrEqual(1);
    expect(theirs.filter((c, r) => c === testSet!.labels![r]).length / rows).toBeGreaterThan(0.5);
  });

  for (const [activation, operator] of [['sigmoid', 'Sigmoid'], ['linear', 'Identity']] as const) {
    test(`the encoder writes what it is given: squared loss without softmax, ${activation} as ${operator}`, async () => {
      const layers = [2, 3, 2];
      const weights = [Float64Array.from([0.5, -1, 0.25, 2, 0.1, -0.3]), Float64Array.from([1, -1, 0.5, 0.5, -2, 1])];
      const bytes = encodeOnnx({ layers, activation, loss: 'squared', bias: false, weights });
      expect(Buffer.from(bytes).includes(operator)).toBe(true);
      const inputs = Float32Array.from([1, 0, 0.5, -2]);
      const got = await onnxRuntime(bytes, inputs, 2, 2);
      const ref = reference(layers, weights, { bias: false, softmax: false, activation }, inputs, 2);
      ref.values.forEach((v, i) => expect(Math.abs(got['prediction']![i]! - v)).toBeLessThan(1e-6));
    });
  }
});
