// Every name that comes from outside (a link's keys and values, an option, a file's contents, a lab
// file's name) is looked up so that Object.prototype's keys are unknown names like any other:
// refused in one line with the project's own error, never found as a function. Walked with those
// keys and a few thousand seeded random strings.

import { describe, expect, test } from 'vitest';
import { parseOptions } from '../../src/cli/options.js';
import { encodeNpy, decodeNpy } from '../../src/data/npy.js';
import { decodeWeightsSafetensors, encodeWeightsSafetensors } from '../../src/data/safetensors.js';
import { BackpropError } from '../../src/errors.js';
import { activationOf } from '../../src/ops/activations/index.js';
import { builtinDataset, example } from '../../src/train/config.js';
import { resolveRun } from '../../src/train/resolve.js';
import { editsFromQuery, LAB_FILES } from '../../src/ui/lab/files.js';
import { pageDataSource, runSettings, settingsFromQuery } from '../../src/ui/settings.js';

/** Object.prototype's keys (constructor, __proto__, toString, hasOwnProperty, …) and 3,000 seeded random strings. */
function hostileNames(): string[] {
  const names = Object.getOwnPropertyNames(Object.prototype);
  let s = 12345;
  const next = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const alphabet = Array.from('abcdefghijklmnopqrstuvwxyz_-.0123456789ABCZ$ /\\%?&=#"\'<>{}[]é漢🙂\u0000\u001b');
  for (let i = 0; i < 3000; i++) names.push(Array.from({ length: next(24) }, () => alphabet[next(alphabet.length)]).join(''));
  return names;
}

const NAMES = hostileNames();

/** Runs `act`; a refusal must be the project's own error, in one line. Returns whether it was refused. */
async function refusedCleanly(act: () => unknown): Promise<boolean> {
  try {
    await act();
    return false;
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(BackpropError);
    expect((error as BackpropError).describe()).not.toMatch(/\n/);
    return true;
  }
}

const KNOWN = { example: ['two-layer', 'one-layer', 'mnist'], dataset: ['streetlights', 'streetlights-4', 'mnist'], activation: ['relu', 'sigmoid', 'tanh', 'linear'] };

describe('outside names never find what Object.prototype holds', () => {
  test('the tables themselves: examples, datasets, activations', async () => {
    for (const name of NAMES) {
      if (!KNOWN.example.includes(name)) expect(await refusedCleanly(() => example(name)), name).toBe(true);
      if (!KNOWN.dataset.includes(name)) expect(await refusedCleanly(() => builtinDataset(name)), name).toBe(true);
      if (!KNOWN.activation.includes(name)) expect(await refusedCleanly(() => activationOf(name)), name).toBe(true);
    }
  });

  test("a link's example, dataset, activation, mode, loss and init go through the run resolver and are refused in one line", async () => {
    const data = pageDataSource({ remote: { mnist: () => Promise.reject(new Error('not fetched in this test')) } }, new Map());
    for (const name of NAMES) {
      for (const key of ['example', 'dataset', 'activation', 'mode', 'loss', 'init']) {
        const settings = settingsFromQuery(`?${key}=${encodeURIComponent(name)}`);
        expect(await refusedCleanly(() => resolveRun(runSettings(settings), data)), `${key}=${JSON.stringify(name)}`).toBe(true);
      }
    }
  });

  test("a link's lab files: only the lab's own files are taken, each other name is one problem", () => {
    for (const name of NAMES) {
      const { edits, problems } = editsFromQuery(`?shader.${encodeURIComponent(name)}=AAAA`);
      if (Object.hasOwn(LAB_FILES, name)) expect(edits.has(name)).toBe(true);
      else {
        expect(edits.size, name).toBe(0);
        expect(problems, name).toHaveLength(1);
      }
    }
  });

  test("the command's options, as option names and as values", async () => {
    for (const name of NAMES) {
      if (name === '' || name.startsWith('-')) continue;
      expect(await refusedCleanly(() => parseOptions(['train', `--${name}`])), `--${name}`).toBe(true);
      for (const option of ['--example', '--activation', '--plan', '--mode']) {
        // Refused by the parser or by the resolver: never taken as a table's function.
        const refused = await refusedCleanly(async () => {
          const parsed = parseOptions(['train', option, name]);
          const data = pageDataSource({ remote: {} }, new Map());
          await resolveRun(parsed.settings, data);
        });
        expect(refused, `${option} ${JSON.stringify(name)}`).toBe(true);
      }
    }
  });

  test("a file's own names: a .npy dtype and a .safetensors dtype", async () => {
    const npy = encodeNpy([1, 2, 3, 4], [2, 2]);
    const npyHeaderLength = npy[8]! | (npy[9]! << 8);
    const header = new TextDecoder().decode(npy.subarray(10, 10 + npyHeaderLength));
    const npyData = npy.subarray(10 + npyHeaderLength);
    const safetensors = encodeWeightsSafetensors([2, 2], [new Float32Array([1, 2, 3, 4])]);
    const jsonLength = Number(new DataView(safetensors.buffer, safetensors.byteOffset).getBigUint64(0, true));
    const json = new TextDecoder().decode(safetensors.subarray(8, 8 + jsonLength));
    const tensorData = safetensors.subarray(8 + jsonLength);
    for (const name of Object.getOwnPropertyNames(Object.prototype)) {
      // A .npy file whose header names the dtype '<constructor' (and so on), its length said anew.
      const text = new TextEncoder().encode(header.replace("'<f4'", `'<${name}'`).trimEnd().padEnd(npyHeaderLength + 64, ' ') + '\n');
      const bytes = new Uint8Array(10 + text.length + npyData.length);
      bytes.set(npy.subarray(0, 8));
      bytes[8] = text.length & 0xff;
      bytes[9] = text.length >> 8;
      bytes.set(text, 10);
      bytes.set(npyData, 10 + text.length);
      expect(await refusedCleanly(() => decodeNpy('w.npy', bytes)), name).toBe(true);
      // A .safetensors file whose tensor has the dtype "constructor".
      const named = new TextEncoder().encode(json.replace('"F32"', JSON.stringify(name)));
      const file = new Uint8Array(8 + named.length + tensorData.length);
      new DataView(file.buffer).setBigUint64(0, BigInt(named.length), true);
      file.set(named, 8);
      file.set(tensorData, 8 + named.length);
      expect(await refusedCleanly(() => decodeWeightsSafetensors('w.safetensors', file)), name).toBe(true);
    }
  });
});
