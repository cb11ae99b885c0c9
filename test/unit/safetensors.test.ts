// Weights as safetensors: tensors named as torch.nn.Sequential's state_dict names them ("0.weight"
// (out, in), "0.bias", "2.weight", ...), written by --save x.safetensors and read by --load. A
// short reader and writer in Python's standard library (struct, json, array) checks the file from
// the other side, where python3 is installed.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeWeightsSafetensors, encodeWeightsSafetensors } from '../../src/data/safetensors.js';
import { seededWeights } from '../../src/net/init.js';
import { run } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'backprop-safetensors-'));
const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;
/** Debian's python3 with Debian's python3-torch (.ci/run installs it). */
const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;

describe('safetensors', () => {
  test('round trip: the same layers, weights (float32) and biases; weights stored (out, in) as torch keeps them', () => {
    const weights = seededWeights([3, 4, 2], 1);
    const biases = [Float64Array.from([0.5, -1, 2, 0]), Float64Array.from([1, -0.25])];
    const bytes = encodeWeightsSafetensors([3, 4, 2], [...weights, ...biases]);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))))) as Record<string, { shape: number[] }>;
    expect(header['0.weight']!.shape).toEqual([4, 3]);
    expect(header['2.weight']!.shape).toEqual([2, 4]);
    expect(header['0.bias']!.shape).toEqual([4]);
    const back = decodeWeightsSafetensors('w.safetensors', bytes);
    expect(back.layers).toEqual([3, 4, 2]);
    expect(back.bias).toBe(true);
    back.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from([...weights, ...biases][i]!, (x) => Math.fround(x))));
  });

  test('what is wrong with a bad file is said in one line', () => {
    const good = encodeWeightsSafetensors([3, 4, 1], seededWeights([3, 4, 1], 1));
    expect(() => decodeWeightsSafetensors('short.safetensors', good.subarray(0, good.length - 4))).toThrow(/data_offsets .* do not hold its 4 values/);
    const huge = new Uint8Array(good);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => decodeWeightsSafetensors('huge.safetensors', huge)).toThrow(/a header of \d+ bytes/);
    const int = new TextEncoder().encode(JSON.stringify({ '0.weight': { dtype: 'I32', shape: [1, 1], data_offsets: [0, 4] } }));
    const bad = new Uint8Array(8 + int.length + 4);
    new DataView(bad.buffer).setBigUint64(0, BigInt(int.length), true);
    bad.set(int, 8);
    expect(() => decodeWeightsSafetensors('int.safetensors', bad)).toThrow(/dtype I32; weights are read as F16, BF16, F32 or F64/);
  });

  test('--save x.safetensors, then --load x.safetensors goes on exactly as the JSON file does', async () => {
    const st = join(dir, 'w.safetensors');
    const js = join(dir, 'w.json');
    expect((await run('train', '--cpu', '--save', st)).code).toBe(0);
    expect((await run('train', '--cpu', '--save', js)).code).toBe(0);
    const fromSt = await run('train', '--cpu', '--load', st, '--iterations', '3', '--log-every', '1');
    const fromJs = await run('train', '--cpu', '--load', js, '--iterations', '3', '--log-every', '1');
    expect(fromSt.code).toBe(0);
    // JSON keeps float64, safetensors float32: the same to float32 precision.
    fromSt.out.forEach((line, i) => expect(Number(line.slice(6))).toBeCloseTo(Number(fromJs.out[i]!.slice(6)), 5));
  });

  test.skipIf(!python)('from the other side: Python reads our file, and writes one that trains here', async () => {
    const st = join(dir, 'seed.safetensors');
    expect((await run('train', '--cpu', '--bias', '--save', st)).code).toBe(0);
    const reader = `
import json, struct, sys, array
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out = {}
for name, t in header.items():
    if name == '__metadata__':
        continue
    a, b = t['data_offsets']
    values = array.array('f', data[a:b])
    out[name] = {'dtype': t['dtype'], 'shape': t['shape'], 'first': values[0], 'count': len(values)}
print(json.dumps(out, sort_keys=True))
`;
    const read = spawnSync('python3', ['-c', reader, st], { encoding: 'utf8' });
    expect(read.status, read.stderr).toBe(0);
    const tensors = JSON.parse(read.stdout) as Record<string, { dtype: string; shape: number[]; first: number; count: number }>;
    expect(Object.keys(tensors)).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    expect(tensors['0.weight']).toMatchObject({ dtype: 'F32', shape: [4, 3], count: 12 });
    expect(tensors['2.weight']).toMatchObject({ dtype: 'F32', shape: [1, 4], count: 4 });
    const ours = decodeWeightsSafetensors(st, new Uint8Array(readFileSync(st)));
    expect(tensors['0.weight']!.first).toBe(Math.fround(ours.weights[0]![0]!)); // (0, 0) is the same either way round

    const writer = `
import json, struct, sys, array
w0 = array.array('f', [0.1 * (i + 1) for i in range(12)])   # 0.weight: (4, 3)
w1 = array.array('f', [0.5, -0.5, 0.25, -0.25])               # 2.weight: (1, 4)
header = {'0.weight': {'dtype': 'F32', 'shape': [4, 3], 'data_offsets': [0, 48]},
          '2.weight': {'dtype': 'F32', 'shape': [1, 4], 'data_offsets': [48, 64]}}
text = json.dumps(header).encode()
text += b' ' * ((8 - len(text) % 8) % 8)
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(text)) + text + w0.tobytes() + w1.tobytes())
`;
    const theirs = join(dir, 'python.safetensors');
    const wrote = spawnSync('python3', ['-c', writer, theirs], { encoding: 'utf8' });
    expect(wrote.status, wrote.stderr).toBe(0);
    const loaded = decodeWeightsSafetensors(theirs, new Uint8Array(readFileSync(theirs)));
    expect(loaded.layers).toEqual([3, 4, 1]);
    // 0.weight[out=1][in=0] is the 4th value written (0.4): weights_0_1[0][1] here.
    expect(loaded.weights[0]![1]).toBeCloseTo(0.4, 6);
    const trained = await run('train', '--cpu', '--load', theirs, '--iterations', '2', '--log-every', '1');
    expect(trained.code).toBe(0);
    expect(trained.out).toHaveLength(2);
  });


  test.skipIf(!torch)("PyTorch's own load_state_dict takes our file, and its forward pass is ours", async () => {
    const st = join(dir, 'torch.safetensors');
    const js = join(dir, 'torch.json');
    expect((await run('train', '--cpu', '--bias', '--save', st)).code).toBe(0);
    expect((await run('train', '--cpu', '--bias', '--save', js)).code).toBe(0);
    const script = `
import json, struct, sys, torch
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
state = {k: torch.frombuffer(bytearray(data[t['data_offsets'][0]:t['data_offsets'][1]]), dtype=torch.float32).reshape(t['shape'])
         for k, t in header.items() if k != '__metadata__'}
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
model.load_state_dict(state)   # strict: every key and shape must match
x = torch.tensor([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]], dtype=torch.float32)
print(json.dumps(model(x).flatten().tolist()))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, st], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as number[];
    // Ours, in float64 from the JSON file: relu(x · W1 + b1) · W2 + b2.
    const w = JSON.parse(readFileSync(js, 'utf8')) as { weights: Record<string, number[][]>; biases: Record<string, number[]> };
    const x = [[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]];
    const ours = x.map((row) => {
      const hidden = [0, 1, 2, 3].map((j) => Math.max(0, row.reduce((s, v, i) => s + v * w.weights.weights_0_1![i]![j]!, w.biases.bias_0_1![j]!)));
      return hidden.reduce((s, h, j) => s + h * w.weights.weights_1_2![j]![0]!, w.biases.bias_1_2![0]!);
    });
    theirs.forEach((v, i) => expect(Math.abs(v - ours[i]!)).toBeLessThan(1e-6));
  });
});
