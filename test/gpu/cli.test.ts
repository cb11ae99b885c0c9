// The `backprop` command: its output against numpy's, its JSON, and its errors (one line on
// stderr, a non-zero exit, no stack trace). Most cases call main() in this process; a few run the
// built command as a user would (npm test builds dist/lib first).

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { main, type CliIO } from '../../src/cli/main.js';
import { run, testIO } from '../helpers/cli.js';
import { idxFiles, idxImages, idxLabels } from '../helpers/idx.js';
import { decodeWeightsJson } from '../../src/data/weightsFile.js';
import { compareRelative, describeComparison } from '../../src/verify/tolerance.js';
import { numpy } from '../fixtures/numpy.js';

const values = (lines: string[]): number[] => lines.map((l) => Number(l.replace(/^Error:/, '')));

const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('backprop train', () => {
  test("with no options runs the seed's two-layer program: numpy's printout within 1e-4", async () => {
    const r = await run('train');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(6);
    expect(r.out.every((l) => /^Error:\S+$/.test(l))).toBe(true);
    const c = compareRelative(values(r.out), values(numpy.two_layer.printed), 1e-4);
    expect(c.ok, describeComparison('Error: lines', c)).toBe(true);
    expect(r.err.join('\n')).toMatch(/240 steps .* on google swiftshader/);
  });

  test("--cpu prints numpy's printout digit for digit", async () => {
    const r = await run('train', '--cpu');
    expect(r.out).toEqual(numpy.two_layer.printed);
  });

  test('--example one-layer prints every iteration, matching numpy', async () => {
    const gpu = await run('train', '--example', 'one-layer');
    expect(gpu.out).toHaveLength(40);
    expect(compareRelative(values(gpu.out), numpy.one_layer.errors, 1e-4).ok).toBe(true);
    const cpu = await run('train', '--example', 'one-layer', '--cpu');
    expect(cpu.out).toEqual(numpy.one_layer.printed);
  });

  test('--activation on every plan: the summary names it, --check holds, and --help lists the choices', async () => {
    const { ACTIVATIONS } = await import('../../src/ops/activations/index.js');
    for (const name of Object.keys(ACTIVATIONS)) {
      for (const plan of ['teaching', 'fast', 'resident']) {
        const r = await run('train', '--json', '--check', '--activation', name, '--plan', plan, '--iterations', '10', '--log-every', '10');
        expect(r.code, r.err.join('\n')).toBe(0);
        const summary = JSON.parse(r.out.at(-1)!) as { activation: string; plan: string; check: { ok: boolean } };
        expect(summary).toMatchObject({ activation: name, plan, check: { ok: true } });
      }
    }
    const help = await run('train', '--help');
    expect(help.out.join('\n')).toContain(`--activation <name>   the hidden layers' activation: ${Object.keys(ACTIVATIONS).join(', ')}`);
  });

  test('--json: one object per logged iteration, then a summary; --check adds the largest difference', async () => {
    const r = await run('train', '--json', '--check', '--mode', 'batch', '--batch-size', '3', '--iterations', '20', '--log-every', '5');
    expect(r.code).toBe(0);
    const objects = r.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.slice(0, -1).map((o) => o.iteration)).toEqual([4, 9, 14, 19]);
    for (const o of objects.slice(0, -1)) expect(typeof o.error).toBe('number');
    const summary = objects.at(-1)!;
    expect(summary).toMatchObject({ summary: true, backend: 'gpu', mode: 'batch', batchSize: 3, steps: 40, iterations: 20, activation: 'relu' });
    expect(summary.adapter).toMatch(/swiftshader/);
    expect(typeof summary.timeMs).toBe('number');
    const check = summary.check as { maxDiff: number; ok: boolean; bound: number };
    expect(check.ok).toBe(true);
    expect(check.maxDiff).toBeGreaterThan(0);
    expect(check.maxDiff).toBeLessThan(check.bound);
    expect(r.err).toEqual([]);
  });

  test('--mode full and --layers, on a CSV file with a header', async () => {
    const csv = file('xor.csv', 'a,b,c,walk\n1,0,1,1\n0,1,1,1\n0,0,1,0\n1,1,1,0\n');
    const r = await run('train', '--dataset', csv, '--layers', '3,8,1', '--mode', 'full', '--iterations', '200', '--log-every', '100', '--check');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out).toHaveLength(2);
    expect(r.err.join('\n')).toMatch(/GPU = CPU/);
  });

  test('a JSON dataset with two outputs', async () => {
    const json = file('two.json', JSON.stringify({ inputs: [[1, 0], [0, 1], [1, 1]], targets: [[1, 0], [0, 1], [1, 1]] }));
    const r = await run('train', '--dataset', json, '--layers', '2,3,2', '--iterations', '5', '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(JSON.parse(r.out.at(-1)!)).toMatchObject({ layers: [2, 3, 2], steps: 15 });
  });
});

describe('bad options and bad data: one line on stderr, exit 1, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown option', ['train', '--alpah', '0.1'], /unknown option --alpah/],
    ['missing value', ['train', '--alpha'], /option --alpha needs a value/],
    ['alpha not a number', ['train', '--alpha', 'fast'], /alpha: "fast" is not a number/],
    ['alpha ≤ 0', ['train', '--alpha', '0'], /alpha must be a finite number above 0/],
    ['alpha Infinity', ['train', '--alpha', 'Infinity'], /alpha: "Infinity" is not a number/],
    ['alpha NaN', ['train', '--alpha', 'NaN'], /alpha: "NaN" is not a number/],
    ['iterations NaN', ['train', '--iterations', 'NaN'], /iterations: "NaN" is not a number/],
    ['unknown activation', ['train', '--activation', 'softplus'], /unknown activation "softplus".*choose one of: relu/],
    ['negative alpha', ['train', '--alpha', '-0.1'], /alpha must be a finite number above 0/],
    ['--save into a missing directory', ['train', '--save', '/nonexistent/dir/w.json'], /--save "\/nonexistent\/dir\/w.json": cannot write in \/nonexistent\/dir: ENOENT \(no such file or directory\)/],
    ['--load a missing file', ['train', '--load', '/nonexistent/w.json'], /cannot read \/nonexistent\/w.json: no such file/],
    ['a network too big for the adapter', ['train', '--layers', '3,20000,20000,1'], /needs maxStorageBufferBindingSize = 1600000000, but this adapter allows at most/],
    ['a network too big for memory', ['train', '--layers', '3,20000,20000,1', '--cpu'], /400,080,000 weights/],
    ['iterations 0', ['train', '--iterations', '0'], /iterations must be a whole number of at least 1/],
    ['fractional batch size', ['train', '--batch-size', '2.5'], /batch size must be a whole number/],
    ['batch size 0', ['train', '--mode', 'batch', '--batch-size', '0'], /batch size must be a whole number/],
    ['stochastic with a batch size', ['train', '--mode', 'stochastic', '--batch-size', '2'], /needs --mode batch/],
    ['unknown mode', ['train', '--mode', 'sideways'], /unknown mode "sideways"/],
    ['negative layer', ['train', '--layers', '3,-4,1'], /layer 1 has size -4/],
    ['fractional layer', ['train', '--layers', '3,4.5,1'], /layer 1 has size 4.5/],
    ['zero layer', ['train', '--layers', '3,0,1'], /layer 1 has size 0/],
    ['layers that do not fit the data', ['train', '--layers', '4,4,1'], /input layer has 4 units but streetlights-4 has 3/],
    ['seed out of range', ['train', '--seed', '-1'], /seed must be a whole number from 0 to 4294967295/],
    ['unknown example', ['train', '--example', 'three-layer'], /unknown example "three-layer"/],
    ['unknown dataset', ['train', '--dataset', 'mnist-fashion-xl'], /unknown dataset/],
    ['missing file', ['train', '--dataset', '/nonexistent/data.csv'], /cannot read \/nonexistent\/data.csv: no such file/],
    ['--check with --cpu', ['train', '--check', '--cpu'], /cannot be combined with --cpu/],
    ['unknown command', ['fit'], /unknown command "fit"/],
  ];
  for (const [name, argv, message] of cases) {
    test(name, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(1);
      expect(r.out).toEqual([]);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^backprop: /);
      expect(r.err[0]).toMatch(message);
      expect(r.err[0]).not.toMatch(/\n\s+at /);
    });
  }

  const dataCases: [string, string, RegExp][] = [
    ['empty.csv', '', /the file is empty/],
    ['header.csv', 'a,b,c,y\n', /header row but no examples/],
    ['ragged.csv', '1,0,1,0\n1,0,1\n', /line 2 has 3 columns, expected 4/],
    ['word.csv', '1,0,1,0\n1,zero,1,1\n', /line 2, column 2 is "zero", not a number/],
    ['nan.csv', '1,0,1,0\n1,NaN,1,1\n', /line 2, column 2 is "NaN", not a number/],
    ['big.csv', '1,0,1,0\n1,1e39,1,1\n', /too large for float32/],
    ['bad.json', '{"inputs": [[1,0,1]], "targets": [', /not valid JSON/],
    ['counts.json', '{"inputs": [[1,0,1],[0,1,1]], "targets": [[1]]}', /2 input rows but 1 target rows/],
    ['null.json', '{"inputs": [[1,null,1]], "targets": [[1]]}', /column 2 is null, not a number/],
  ];
  for (const [name, text, message] of dataCases) {
    test(`data file ${name}`, async () => {
      const r = await run('train', '--dataset', file(name, text));
      expect(r.code).toBe(1);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    });
  }

  test('--help prints usage and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/Usage: backprop train/);
    expect(r.out.join('\n')).toMatch(/--log-every/);
  });
});

describe('keeping what was trained', () => {
  test('--save writes the trained weights; --load starts from them', async () => {
    const path = join(dir, 'trained.json');
    const first = await run('train', '--save', path, '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out.at(-1)!)).toMatchObject({ saved: path });
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { layers: number[]; weights: Record<string, number[][]> };
    expect(saved.layers).toEqual([3, 4, 1]);
    expect(saved.weights.weights_1_2).toHaveLength(4);
    // Trained weights: the next run starts with the error where the last one ended.
    const again = await run('train', '--load', path, '--iterations', '1', '--log-every', '1', '--json');
    expect(JSON.parse(again.out[0]!).error).toBeLessThan(1e-4);
  });

  test('--load weights of other layers is refused, naming both', async () => {
    const path = join(dir, 'other.json');
    await run('train', '--save', path, '--iterations', '1');
    const r = await run('train', '--load', path, '--layers', '3,5,1');
    expect(r.err[0]).toMatch(/holds weights for layers 3,4,1, not 3,5,1/);
  });

  test('a diverging run stops with a hint, and --save keeps the last finite weights', async () => {
    const path = join(dir, 'diverged.json');
    writeFileSync(path, 'an earlier file');
    const r = await run('train', '--example', 'one-layer', '--alpha', '10', '--save', path);
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toMatch(/training diverged: the error of iteration \d+ .*last finite weights are .*\(try --alpha 1\)/);
    expect(r.err.join('\n')).toMatch(/the weights after iteration \d+, the last read back before this, are saved in/);
    const kept = JSON.parse(readFileSync(path, 'utf8')) as { weights: { weights_0_1: number[][] } };
    expect(kept.weights.weights_0_1.flat().every(Number.isFinite)).toBe(true);
  });

  test('bad data leaves an earlier --save file untouched', async () => {
    const path = join(dir, 'keep.json');
    writeFileSync(path, 'do not touch');
    const r = await run('train', '--dataset', file('bad.csv', '1,0,1\n1,x,1\n'), '--save', path);
    expect(r.code).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe('do not touch');
  });
});

describe('image data', () => {
  test('--dataset mnist: one JSON object per epoch with train and test accuracy, and the summary', async () => {
    const r = await run('train', '--dataset', 'mnist', '--layers', '784,16,10', '--iterations', '2', '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    const objects = r.out.map((l) => JSON.parse(l) as Record<string, number>);
    expect(objects).toHaveLength(3);
    for (const [i, o] of objects.slice(0, 2).entries()) {
      expect(Object.keys(o).sort()).toEqual(['epoch', 'testAccuracy', 'testError', 'trainAccuracy', 'trainError']);
      expect(o.epoch).toBe(i);
      expect(o.testAccuracy).toBeGreaterThan(0.8);
    }
    expect(objects[2]).toMatchObject({ summary: true, layers: [784, 16, 10], loss: 'softmax', bias: true, shuffle: true, shift: 1, plan: 'fast', steps: 500 });
  });

  test('a progress bar on a terminal, none in a pipe; epochs as text lines', async () => {
    const raw: string[] = [];
    const out: string[] = [];
    const io: CliIO = testIO({ out: (l) => out.push(l), err: () => undefined, errRaw: (t) => raw.push(t), isTerminal: true });
    // What the bar and the epoch line say does not depend on the images: a few IDX ones will do.
    const settings = ['train', '--dataset', idxFiles(8, 3), '--layers', '4,6,3', '--iterations', '1', '--batch-size', '2'];
    expect(await main(settings, io)).toBe(0);
    expect(out[0]).toMatch(/^epoch 1\/1: train accuracy \d\.\d{4} \(loss \d+\.\d{4}\), test accuracy \d\.\d{4} \(loss \d+\.\d{4}\)$/);
    expect(raw.some((t) => /^\r\[#+\.*\] +\d+% epoch 1\/1/.test(t))).toBe(true);
    const piped = await run(...settings);
    expect(piped.out).toHaveLength(1);
  });

  test('--save keeps biases, --load takes them back', async () => {
    const path = join(dir, 'digits.json');
    await run('train', '--dataset', 'mnist', '--layers', '784,8,10', '--iterations', '1', '--save', path);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { biases: Record<string, number[]> };
    expect(Object.keys(saved.biases)).toEqual(['bias_0_1', 'bias_1_2']);
    const again = await run('train', '--dataset', 'mnist', '--load', path, '--iterations', '1', '--json');
    expect(JSON.parse(again.out[0]!).trainAccuracy).toBeGreaterThan(0.8);
  });

  test('a directory of IDX files, and what is wrong with a bad one', async () => {
    const idxDir = mkdtempSync(join(tmpdir(), 'backprop-idx-'));
    writeFileSync(join(idxDir, 'train-images-idx3-ubyte'), idxImages(6));
    writeFileSync(join(idxDir, 'train-labels-idx1-ubyte'), idxLabels(6));
    writeFileSync(join(idxDir, 't10k-images-idx3-ubyte.gz'), gzipSync(idxImages(3)));
    writeFileSync(join(idxDir, 't10k-labels-idx1-ubyte'), idxLabels(3));
    const ok = await run('train', '--dataset', idxDir, '--iterations', '2', '--batch-size', '2', '--json');
    expect(ok.code, ok.err.join('\n')).toBe(0);
    expect(JSON.parse(ok.out.at(-1)!)).toMatchObject({ layers: [4, 128, 64, 3] });
    writeFileSync(join(idxDir, 't10k-labels-idx1-ubyte'), idxLabels(3).subarray(0, 9));
    const bad = await run('train', '--dataset', idxDir);
    expect(bad.err[0]).toMatch(/t10k-labels-idx1-ubyte: not a usable IDX file \(truncated/);
    const empty = mkdtempSync(join(tmpdir(), 'backprop-empty-'));
    const none = await run('train', '--dataset', empty);
    expect(none.err[0]).toMatch(/no IDX file train-images-idx3-ubyte\[\.gz\]/);
  });

  test('--check on image data: the epoch lines as without it, then the check, in text and in JSON', async () => {
    const settings = ['train', '--dataset', idxFiles(8, 3), '--layers', '4,6,3', '--iterations', '2', '--batch-size', '2'];
    const plain = await run(...settings);
    const checked = await run(...settings, '--check');
    expect(checked.code, checked.err.join('\n')).toBe(0);
    expect(plain.out).toHaveLength(2);
    expect(plain.out[0]).toMatch(/^epoch 1\/2: train accuracy/);
    expect(checked.out).toEqual(plain.out);
    expect(checked.err.join('\n')).toMatch(/GPU = CPU: largest weight difference/);
    const json = await run(...settings, '--check', '--json');
    expect(json.out.slice(0, 2).map((l) => JSON.parse(l) as { epoch: number }).map((e) => e.epoch)).toEqual([0, 1]);
    expect(JSON.parse(json.out.at(-1)!)).toMatchObject({ summary: true, check: { ok: true } });
  });
});

describe('the installed command', () => {
  const exec = promisify(execFile);
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'backprop.js');

  test('a long run, 130,000 iterations, finishes and saves (no array is spread into a call)', async () => {
    const save = join(mkdtempSync(join(tmpdir(), 'backprop-long-')), 'w.json');
    const r = await promisify(execFile)('node', [bin, 'train', '--iterations', '130000', '--log-every', '130000', '--save', save]);
    expect(r.stdout.trim()).toMatch(/^Error:/);
    expect(decodeWeightsJson(save, readFileSync(save, 'utf8')).layers).toEqual([3, 4, 1]);
  });

  test('messages are one line, safe to print: control characters from a file are escaped, long values cut', async () => {
    // A CSV cell holding an ANSI escape; an argument of 5,000 characters.
    const ansi = file('ansi.csv', `1,0,1,0\n1,\u001b[31mred\r,1,1\n`);
    const r1 = await run('train', '--dataset', ansi, '--layers', '3,4,1', '--cpu');
    expect(r1.code).toBe(1);
    expect(r1.err).toHaveLength(1);
    expect(r1.err[0]).not.toMatch(/[\u0000-\u001f]/);
    // The escape is shown, not sent to the terminal (the CSV reader reads the CR as a line end).
    expect(r1.err[0]).toContain('"\\x1b[31mred"');
    const r2 = await run('train', '--example', 'x'.repeat(5000));
    expect(r2.err).toHaveLength(1);
    expect(r2.err[0]!.length).toBeLessThan(300);
    expect(r2.err[0]).toMatch(/"x{60}…" \(5,000 characters\)/);
  });

  test('output that cannot be written is an error: one line on stderr and exit 1; a closed pipe ends quietly', async () => {
    for (const args of ['train --cpu', 'train']) {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn('sh', ['-c', `node ${bin} ${args} > /dev/full`], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.code, args).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('backprop:'));
      expect(lines, args).toEqual([expect.stringMatching(/^backprop: cannot write the output: ENOSPC \(no space left on device\)/)]);
    }
    const piped = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      // bash, for the exit status of the command before the pipe (PIPESTATUS).
      const child = spawn('bash', ['-c', `node ${bin} train --cpu --iterations 2000 --log-every 1 | head -1; exit \${PIPESTATUS[0]}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });
    expect(piped.code).toBe(0);
    expect(piped.err).not.toMatch(/backprop: /);
    expect(piped.out.trim()).toMatch(/^Error:/);
  });

  test('npx backprop train prints the seed\'s six lines; stderr has only the summary', async () => {
    const { stdout, stderr } = await exec(process.execPath, [bin, 'train']);
    expect(stdout.trim().split('\n')).toHaveLength(6);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^# 3-4-1 on streetlights-4/);
  });

  test('a device lost mid-run (BACKPROP_SIMULATE_DEVICE_LOSS) is survived: same output, one line on stderr', async () => {
    const { stdout: plain } = await exec(process.execPath, [bin, 'train']);
    const { stdout, stderr } = await exec(process.execPath, [bin, 'train'], {
      env: { ...process.env, BACKPROP_SIMULATE_DEVICE_LOSS: '30' },
    });
    expect(stdout).toBe(plain);
    expect(stderr).toMatch(/^backprop: the GPU device was lost \(destroyed\).*; resuming from the weights after iteration 29 on a new device$/m);
  });

  test('a bad option exits 1 with one line and no stack trace', async () => {
    const failure = await exec(process.execPath, [bin, 'train', '--bogus']).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toBe('backprop: unknown option --bogus (see backprop --help)\n');
  });
});
