// The command under hostile input, interruption and long runs (issue 12), class by class:
// outputs checked before any work, interrupts, flat memory, bounded input, numbers judged where
// they come from, one safe line per message. Signals are sent to a child process; a full disk is
// a 64 KB tmpfs where this machine lets the test mount one, and a file system whose writes fail
// everywhere.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { main, type CliIO } from '../../src/cli/main.js';
import { run, testIO, type Ran } from '../helpers/cli.js';
import { checkSaveTarget, saveText, type SaveFs } from '../../src/cli/saveFile.js';
import { classificationDataset, type Dataset } from '../../src/data/dataset.js';
import { decodeNpy, encodeNpy } from '../../src/data/npy.js';
import { decodeWeightsJson, encodeWeightsJson } from '../../src/data/weightsFile.js';
import { DivergenceError, OutputError } from '../../src/errors.js';
import { seededWeights } from '../../src/net/init.js';
import { resolveConfig } from '../../src/train/config.js';
import { train } from '../../src/train/run.js';
import { useGpu } from '../helpers/gpu.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'backprop.js');
const dir = mkdtempSync(join(tmpdir(), 'backprop-hostile-'));
// A real full disk: a 64 KB tmpfs, where this machine lets the test mount one (root in a container).
const mountPoint = join(dir, 'tmpfs');
mkdirSync(mountPoint);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]).status === 0;
afterAll(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The one line a failed run printed: one line, no stack trace, no raw control characters. */
function oneLine(r: Ran): string {
  expect(r.code).not.toBe(0);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(/^backprop: /);
  expect(r.err[0]).not.toMatch(/[\u0000-\u001f]|unexpected error|\n/);
  return r.err[0]!;
}

const temporaries = (where: string): string[] => readdirSync(where).filter((f) => f.endsWith('.tmp'));

describe('1. --save is checked before any work, and never replaces anything but a regular file', () => {
  test('a device file is refused before training, and stays a device', async () => {
    const r = await run('train', '--cpu', '--save', '/dev/null');
    expect(r.out).toEqual([]); // nothing trained
    expect(oneLine(r)).toMatch(/--save "\/dev\/null": it is a character device; --save writes only regular files/);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  test('an empty name, a path under a file, a missing directory: one line each, before training', async () => {
    const plain = file('plain.txt', 'x');
    expect(oneLine(await run('train', '--cpu', '--save', ''))).toMatch(/--save "": an empty name/);
    expect(oneLine(await run('train', '--cpu', '--save', join(plain, 'w.json')))).toMatch(/plain\.txt is not a directory/);
    expect(oneLine(await run('train', '--cpu', '--save', join(dir, 'nowhere', 'w.json')))).toMatch(/cannot write in .*nowhere: ENOENT/);
    expect(oneLine(await run('train', '--cpu', '--save', `${dir}/`))).toMatch(/names a directory/);
  });

  test('a symbolic link is refused, and the link and its target are left alone', async () => {
    const target = file('target.txt', 'keep me');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    expect(oneLine(await run('train', '--cpu', '--save', link))).toMatch(/it is a symbolic link/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  test('the data file being read is refused; so is a name no file system takes', async () => {
    const csv = file('data.csv', '1,0,1,1\n0,1,1,1\n0,0,1,0\n1,1,1,1\n');
    expect(oneLine(await run('train', '--cpu', '--dataset', csv, '--save', csv))).toMatch(/it is a data file this run reads/);
    expect(readFileSync(csv, 'utf8')).toBe('1,0,1,1\n0,1,1,1\n0,0,1,0\n1,1,1,1\n');
    expect(oneLine(await run('train', '--cpu', '--save', join(dir, 'a'.repeat(300))))).toMatch(/a file name of 300 bytes; file systems take at most 255/);
  });

  test('a long but valid name works (the temporary file beside it has a short name of its own); nothing is left behind', async () => {
    const name = join(dir, `${'w'.repeat(250)}.json`);
    const r = await run('train', '--cpu', '--save', name);
    expect(r.code).toBe(0);
    expect(decodeWeightsJson(name, readFileSync(name, 'utf8')).layers).toEqual([3, 4, 1]);
    expect(temporaries(dir)).toEqual([]);
  });

  test('a write that fails after training keeps the weights in a named fallback file, and removes the temporary one', async () => {
    // A file system where every write fails as on a full disk.
    const full: SaveFs = {
      ...fs,
      open: (async (path: string, flags: string, mode?: number) => {
        const handle = await fs.open(path, flags, mode);
        return Object.assign(Object.create(handle) as fs.FileHandle, {
          writeFile: async () => {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          },
          close: () => handle.close(),
          sync: () => handle.sync(),
        });
      }) as SaveFs['open'],
    };
    const target = join(dir, 'full.json');
    const error = await saveText(target, 'weights', full).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).message).toMatch(/cannot write --save .*full\.json: ENOSPC \(no space left on the device\); nor a fallback/);
    expect(existsSync(target)).toBe(false);
    expect(temporaries(dir)).toEqual([]);
    // Writes that fail only beside the target: the fallback directory takes the weights.
    const fallbackDir = mkdtempSync(join(tmpdir(), 'backprop-fallback-'));
    const nearlyFull: SaveFs = { ...full, open: ((path: string, flags: string, mode?: number) => (path.startsWith(fallbackDir) ? fs.open(path, flags, mode) : full.open(path, flags, mode))) as SaveFs['open'] };
    const saved = (await saveText(target, '{"w": 1}', nearlyFull, fallbackDir).catch((e: unknown) => e)) as OutputError;
    const fallback = /saved in (\S+) instead/.exec(saved.message)?.[1];
    expect(fallback).toBeDefined();
    expect(readFileSync(fallback!, 'utf8')).toBe('{"w": 1}');
    expect(temporaries(dir)).toEqual([]);
  });

  test('a target that becomes a link between the check and the write is not replaced', async () => {
    const target = join(dir, 'raced.json');
    await checkSaveTarget(target, []);
    const victim = file('victim.txt', 'untouched');
    symlinkSync(victim, target);
    const error = (await saveText(target, '{}', fs, mkdtempSync(join(tmpdir(), 'backprop-fallback-'))).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/it has become a symbolic link, which is never replaced; the weights are saved in/);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(temporaries(dir)).toEqual([]);
  });

  // Permissions bind only a user who is not root: as root, the test runs the command as nobody.
  const asNobody = process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;
  test.skipIf(!asNobody)("someone else's file in a sticky directory, a directory without write permission: refused before training", () => {
    const owned = join(tmpdir(), `backprop-owned-${process.pid}.json`);
    writeFileSync(owned, 'root owns this');
    try {
      const sticky = spawnSync('runuser', ['-u', 'nobody', '--', 'node', bin, 'train', '--cpu', '--save', owned], { encoding: 'utf8' });
      expect(sticky.status).toBe(1);
      expect(sticky.stdout).toBe('');
      expect(sticky.stderr).toMatch(/it belongs to another user in .*, a sticky directory, so it cannot be replaced/);
      expect(readFileSync(owned, 'utf8')).toBe('root owns this');
      const closedDir = mkdtempSync(join(tmpdir(), 'backprop-closed-'));
      chmodSync(closedDir, 0o755); // nobody may look in, not write
      const closed = spawnSync('runuser', ['-u', 'nobody', '--', 'node', bin, 'train', '--cpu', '--save', join(closedDir, 'w.json')], { encoding: 'utf8' });
      expect(closed.stderr).toMatch(/cannot write in .*backprop-closed-.*: EACCES \(permission denied\)/);
      rmSync(closedDir, { recursive: true });
    } finally {
      rmSync(owned);
    }
  });

  test.skipIf(!mounted)('on a real full disk (64 KB tmpfs) the run trains, then says where the weights went instead', async () => {
    const target = join(mountPoint, 'w.json');
    const r = await run('train', '--cpu', '--layers', '3,2000,1', '--alpha', '0.001', '--iterations', '2', '--save', target);
    const line = oneLine(r);
    expect(line).toMatch(/cannot write --save .*w\.json: ENOSPC \(no space left on the device\); the weights are saved in (\S+) instead/);
    const fallback = /saved in (\S+) instead/.exec(line)![1]!;
    expect(decodeWeightsJson(fallback, readFileSync(fallback, 'utf8')).layers).toEqual([3, 2000, 1]);
    rmSync(fallback);
    expect(readdirSync(mountPoint)).toEqual([]);
  });
});

describe('2. Ctrl-C and SIGTERM finish the step in flight, save, say so, and exit 130 / 143', () => {
  /**
   * Starts the command, waits for `ready` on stdout or stderr (or that many milliseconds), sends
   * the first signal, and the second once the first is acknowledged; collects the outcome.
   */
  function interrupt(args: string[], signals: NodeJS.Signals[], ready: RegExp | number): Promise<{ code: number | null; stderr: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn('node', [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let sent = 0;
      let sentAt = 0;
      const send = (): void => {
        sent = 1;
        child.kill(signals[0]);
      };
      const watch = (text: string): void => {
        if (sent === 0 && typeof ready !== 'number' && ready.test(text)) send();
        if (sent === 1 && /stopping after the step in flight/.test(stderr)) {
          sent = 2;
          sentAt = performance.now();
          if (signals[1]) child.kill(signals[1]);
        }
      };
      if (typeof ready === 'number') setTimeout(send, ready);
      child.stdout.on('data', (d: Buffer) => watch(d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        watch(d.toString());
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr, ms: performance.now() - sentAt }));
    });
  }

  test('SIGINT on --cpu: the weights then are saved, the message says where and how far it got, status 130', async () => {
    const save = join(dir, 'interrupted-cpu.json');
    const r = await interrupt(['train', '--cpu', '--iterations', '100000000', '--log-every', '100000', '--save', save], ['SIGINT'], /Error:/);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/backprop: SIGINT: stopping after the step in flight \(Ctrl-C again to quit at once\)/);
    expect(r.stderr).toMatch(/backprop: stopped by SIGINT after step [\d,]+ of 400,000,000 \([\d,]+ of 100,000,000 iterations complete\); the weights then are saved in .*interrupted-cpu\.json \(go on with --load/);
    expect(decodeWeightsJson(save, readFileSync(save, 'utf8')).layers).toEqual([3, 4, 1]);
    expect(temporaries(dir)).toEqual([]);
  });

  test('SIGTERM on the GPU: the same, status 143', async () => {
    const save = join(dir, 'interrupted-gpu.json');
    const r = await interrupt(['train', '--iterations', '100000000', '--log-every', '2000', '--save', save], ['SIGTERM'], /Error:/);
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/backprop: stopped by SIGTERM after step [\d,]+ of 400,000,000 .*the weights then are saved in/);
    expect(decodeWeightsJson(save, readFileSync(save, 'utf8')).layers).toEqual([3, 4, 1]);
  });

  test('without --save it says nothing was saved', async () => {
    const r = await interrupt(['train', '--cpu', '--iterations', '100000000', '--log-every', '100000'], ['SIGINT'], /Error:/);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/nothing saved \(no --save\)/);
  });

  test('a second Ctrl-C quits at once, in the middle of a long step', async () => {
    // One full-batch step of a wide network takes about 25 s here: the first Ctrl-C (4 s in, the
    // step under way) waits for it; the second does not.
    const save = join(dir, 'second.json');
    const r = await interrupt(['train', '--dataset', 'mnist', '--layers', '784,2000,10', '--mode', 'full', '--iterations', '100', '--save', save], ['SIGINT', 'SIGINT'], 4000);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/SIGINT again: quitting at once; nothing more is saved/);
    expect(r.ms).toBeLessThan(2000);
    expect(existsSync(save)).toBe(false);
  });
});

describe('3. Memory does not grow with the number of iterations', () => {
  test('the command keeps only the first and last errors (keepErrors: false), not one per iteration', async () => {
    const dataset = (await import('../../src/data/streetlights.js')).streetlights4();
    const config = resolveConfig({ layers: [3, 4, 1], alpha: 0.2, iterations: 5000, seed: 1, logEvery: 5000 }, dataset);
    const result = await train({ config, dataset, weights: seededWeights(config.layers, 1), keepErrors: false });
    expect(result.errors).toEqual([]);
    expect(result.first?.iteration).toBe(0);
    expect(result.last?.iteration).toBe(4999);
    expect(result.last!.error).toBeLessThan(1e-10);
  });
});

describe('4. Input is bounded by what its header promises', () => {
  test('a gzip bomb (an IDX header promising 640 bytes, 64 MB inside) is refused at once', async () => {
    const idxDir = join(dir, 'bomb');
    mkdirSync(idxDir);
    const header = [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 8, 0, 0, 0, 8];
    const bomb = new Uint8Array(64 * 1024 * 1024);
    bomb.set(header);
    writeFileSync(join(idxDir, 'train-images-idx3-ubyte.gz'), gzipSync(bomb));
    const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 10, ...Array(10).fill(1)]);
    for (const name of ['train-labels-idx1-ubyte', 't10k-labels-idx1-ubyte']) writeFileSync(join(idxDir, name), labels);
    writeFileSync(join(idxDir, 't10k-images-idx3-ubyte'), Uint8Array.from([...header, ...Array(640).fill(0)]));
    const started = performance.now();
    const line = oneLine(await run('train', '--cpu', '--dataset', idxDir));
    expect(line).toMatch(/train-images-idx3-ubyte\.gz: decompresses to more than the 656 bytes its header promises; refused/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('a file that never ends (/dev/zero) is read only up to the limit for its kind', async () => {
    expect(oneLine(await run('train', '--cpu', '--load', '/dev/zero'))).toMatch(/\/dev\/zero: more than 512 MB; weights files are read up to 512 MB/);
  });

  test('JSON nested 100,000 deep is one short line, not a stack overflow', async () => {
    const deep = file('deep.json', `{"inputs": [${'['.repeat(100_000)}${']'.repeat(100_000)}], "targets": [[1]]}`);
    const line = oneLine(await run('train', '--cpu', '--dataset', deep));
    expect(line).toMatch(/deep\.json: inputs row 1, column 1 is an array of 1, not a number/);
    expect(line.length).toBeLessThan(200);
  });

  test('an .npy header that promises more than numpy writes, or data that does not match its shape, is refused', () => {
    const good = encodeNpy([1, 2, 3, 4], [2, 2]);
    const long = new Uint8Array(good);
    new DataView(long.buffer).setUint16(8, 60_000, true);
    expect(() => decodeNpy('big.npy', long)).toThrow(/a header of 60000 bytes/);
    expect(() => decodeNpy('short.npy', good.subarray(0, good.length - 4))).toThrow(/needs 16 bytes of data, the file has 12/);
  });
});

describe('5. A failing output is an error (stdout: test/cli.test.ts)', () => {
  test('stderr that cannot be written ends with status 1, on the GPU and --cpu', async () => {
    for (const args of ['train', 'train --cpu']) {
      const status = spawnSync('sh', ['-c', `node ${bin} ${args} > /dev/null 2> /dev/full`]).status;
      expect(status, args).toBe(1);
    }
  });
});

describe('6. Numbers are judged where they come from', () => {
  test('data outside float32 is refused naming the file, row and column, in CSV and JSON alike', async () => {
    expect(oneLine(await run('train', '--cpu', '--layers', '3,4,1', '--dataset', file('huge.csv', '1,0,1,1\n0,1,1,1e39\n')))).toMatch(/huge\.csv: line 2, column 4 is 1e39, too large for float32/);
    expect(oneLine(await run('train', '--cpu', '--layers', '3,4,1', '--dataset', file('huge.json', '{"inputs": [[1,0,1],[0,1,1]], "targets": [[1],[1e39]]}')))).toMatch(
      /huge\.json: target row 2, column 1 is 1e\+39, outside float32's range/,
    );
  });

  test('an overflow from the data blames the data, not alpha, on the GPU and the CPU alike', async () => {
    const big = file('big-targets.csv', '1,0,1,1e20\n0,1,1,1e20\n0,0,1,0\n1,1,1,1e20\n');
    for (const where of [[], ['--cpu']]) {
      const line = oneLine(await run('train', ...where, '--layers', '3,4,1', '--dataset', big, '--alpha', '1e-30'));
      expect(line).toMatch(/training diverged: .*the data's values reach 1\.0e\+20, so their squared error overflows float32 whatever alpha is.*\(scale the data down/);
      expect(line).not.toMatch(/try --alpha/);
    }
  });

  test('the CPU stops where the GPU stops: a float64 error past float32 is a divergence too', async () => {
    for (const where of [[], ['--cpu']]) {
      const line = oneLine(await run('train', ...where, '--layers', '3,100000,1', '--iterations', '3'));
      expect(line).toMatch(/training diverged: the error of iteration 0 (is Infinity|passed float32's range).*alpha 0\.2 is too large.*try --alpha 0\.02/);
    }
  });

  test('softmax targets must be probabilities', async () => {
    const negative = file('negative.csv', '1,0,-1,2\n0,1,0,1\n');
    const unsummed = file('unsummed.csv', '1,0,1,1\n0,1,0,1\n');
    expect(oneLine(await run('train', '--cpu', '--layers', '2,4,2', '--loss', 'softmax', '--dataset', negative))).toMatch(/negative\.csv: target row 1, column 1 is -1; softmax targets are probabilities, never negative/);
    expect(oneLine(await run('train', '--cpu', '--layers', '2,4,2', '--loss', 'softmax', '--dataset', unsummed))).toMatch(/unsummed\.csv: target row 1 sums to 2; softmax targets are probabilities that sum to 1/);
  });

  const gpu = useGpu();
  test('a test loss that is not finite is a divergence, not a summary with "testError": null', async () => {
    const images = (n: number, value: number) => new Uint8Array(n * 4).fill(value);
    const trainSet: Dataset = classificationDataset('tiny (train)', images(8, 1), 4, Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1]), 2);
    const testSet: Dataset = { ...classificationDataset('tiny (test)', images(4, 1), 4, Uint8Array.from([0, 1, 0, 1]), 2) };
    // Test inputs so large that the first layer overflows float32.
    testSet.inputs = new Float32Array(testSet.inputs.length).fill(3e38);
    const config = resolveConfig({ layers: [4, 8, 2], alpha: 0.01, iterations: 2, seed: 1, logEvery: 1, loss: 'softmax' }, trainSet);
    const error = await train({ config, dataset: trainSet, test: testSet, weights: seededWeights(config.layers, 1), ctx: gpu() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(/the test loss after epoch 1 is NaN|Infinity/);
  });
});

describe('7. One line, safe to print', () => {
  test('unreadable directories, a missing Vulkan driver file, an unknown BACKPROP_ADAPTER, --json=false', async () => {
    expect(oneLine(await run('train', '--dataset', join(dir, 'no-such-dir', 'x')))).toMatch(/cannot read the directory .*no-such-dir\/x: no such directory/);
    const exec = promisify(execFile);
    for (const [env, expected] of [
      [{ VK_ICD_FILENAMES: '/nonexistent/icd.json' }, /backprop: VK_ICD_FILENAMES names "\/nonexistent\/icd\.json", which does not exist \(unset it/],
      [{ BACKPROP_ADAPTER: 'nonsense' }, /backprop: BACKPROP_ADAPTER="nonsense" is not an adapter choice/],
    ] as const) {
      const r = await exec('node', [bin, 'train'], { env: { ...process.env, ...env } }).catch((e: { code: number; stderr: string }) => e);
      expect((r as { code: number }).code).toBe(1);
      expect((r as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
      expect((r as { stderr: string }).stderr).toMatch(expected);
    }
    expect(oneLine(await run('train', '--json=false'))).toBe('backprop: option --json takes no value (give --json to turn it on; leave it out for off)');
    expect(oneLine(await run('train', '--bias=no'))).toMatch(/option --bias takes no value \(give --bias for on, --no-bias for off\)/);
  });

  test('the progress bar is cleared before an error line', async () => {
    const raw: string[] = [];
    const io: CliIO = testIO({ out: () => undefined, err: (l) => raw.push(`${l}\n`), errRaw: (t) => raw.push(t), isTerminal: true });
    expect(await main(['train', '--dataset', 'mnist', '--layers', '784,8,10', '--iterations', '2', '--alpha', '1e30', '--no-bias'], io)).toBe(1);
    const error = raw.findIndex((t) => t.startsWith('backprop: training diverged'));
    expect(error).toBeGreaterThan(0);
    expect(raw.slice(0, error).some((t) => t.startsWith('\r['))).toBe(true);
    expect(raw[error - 1]).toBe('\r\x1b[2K');
  });

  test('--load reads .npy files as the page exports them, in every float dtype, byte order and memory order numpy writes', async () => {
    // The seed's weights through the .npy encoder: one file per matrix.
    const weights = seededWeights([3, 4, 1], 1);
    const a = file('weights_0_1.npy', encodeNpy(weights[0]!, [3, 4]));
    const b = file('weights_1_2.npy', encodeNpy(weights[1]!, [4, 1]));
    const fromNpy = await run('train', '--cpu', '--load', a, '--load', b, '--iterations', '1', '--json');
    const fromJson = await run('train', '--cpu', '--load', file('w.json', encodeWeightsJson([3, 4, 1], weights.map((w) => Float32Array.from(w)))), '--iterations', '1', '--json');
    expect(fromNpy.code).toBe(0);
    expect(fromNpy.out[0]).toBe(fromJson.out[0]);

    // Hand-made headers for the dtypes numpy writes: float64 big-endian in Fortran order, float16.
    const npy = (descr: string, fortran: boolean, shape: number[], data: Uint8Array): Uint8Array => {
      let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}), }`;
      header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
      const out = new Uint8Array(10 + header.length + data.length);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      new DataView(out.buffer).setUint16(8, header.length, true);
      out.set(new TextEncoder().encode(header), 10);
      out.set(data, 10 + header.length);
      return out;
    };
    // The matrix [[1, 2, 3], [4, 5, 6]] stored column by column, big-endian float64.
    const f8 = new DataView(new ArrayBuffer(48));
    [1, 4, 2, 5, 3, 6].forEach((v, i) => f8.setFloat64(i * 8, v, false));
    expect(Array.from(decodeNpy('f.npy', npy('>f8', true, [2, 3], new Uint8Array(f8.buffer))).values)).toEqual([1, 2, 3, 4, 5, 6]);
    // float16: 1, -2, 0.5, 65504 (the largest half), little-endian.
    const f2 = new DataView(new ArrayBuffer(8));
    [0x3c00, 0xc000, 0x3800, 0x7bff].forEach((bits, i) => f2.setUint16(i * 2, bits, true));
    expect(Array.from(decodeNpy('h.npy', npy('<f2', false, [4], new Uint8Array(f2.buffer))).values)).toEqual([1, -2, 0.5, 65504]);
    // Big-endian float32, C order, loaded by the command.
    const f4 = new DataView(new ArrayBuffer(12 * 4));
    weights[0]!.forEach((v, i) => f4.setFloat32(i * 4, v, false));
    const big = file('weights_0_1_be.npy', npy('>f4', false, [3, 4], new Uint8Array(f4.buffer)));
    const fromBig = await run('train', '--cpu', '--load', big, '--load', b, '--iterations', '1', '--json');
    expect(fromBig.out[0]).toBe(fromJson.out[0]);
    // What it does not take, it names.
    expect(() => decodeNpy('i.npy', npy('<i4', false, [1], new Uint8Array(4)))).toThrow(/dtype <i4; weights are read as float16, float32 or float64/);
    expect(oneLine(await run('train', '--cpu', '--load', a, '--load', file('w2.json', '{}')))).toMatch(/give one weights \.json, or only \.npy files/);
  });
});
