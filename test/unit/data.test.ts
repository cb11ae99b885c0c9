// Loaders of data and weights: each bad file gets one clear error naming the file and the reason.

import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { datasetFromRows } from '../../src/data/dataset.js';
import { gunzip, maybeGunzip } from '../../src/data/gzip.js';
import { parseIdx } from '../../src/data/idx.js';
import { parseJsonDataset } from '../../src/data/json.js';
import { decodeWeightsJson, encodeWeightsJson } from '../../src/data/weightsFile.js';

function idx(type: number, dims: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, type, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('IDX', () => {
  test('reads images (3 dimensions) and labels (1 dimension)', () => {
    const images = parseIdx('images', idx(8, [2, 2, 3], [...Array(12).keys()]));
    expect(images.dims).toEqual([2, 2, 3]);
    expect(Array.from(images.data)).toEqual([...Array(12).keys()]);
    expect(parseIdx('labels', idx(8, [3], [7, 2, 1])).dims).toEqual([3]);
  });

  test.each([
    ['empty', new Uint8Array(0), /shorter than its 4-byte magic number/],
    ['bad magic', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), /bad magic number/],
    ['float elements', idx(0x0d, [1], [0, 0, 0, 0]), /element type 0x0d/],
    ['truncated dims', idx(8, [2, 2], []).subarray(0, 9), /truncated before the end of its dimensions/],
    ['truncated data', idx(8, [2, 3], [1, 2, 3]), /need 6 bytes of data, the file has 3/],
    ['trailing bytes', idx(8, [2], [1, 2, 3]), /1 bytes past the end/],
  ])('%s is refused', (_, bytes, message) => {
    expect(() => parseIdx('f.idx', bytes)).toThrow(message);
  });
});

describe('gzip', () => {
  test('round trip, and plain bytes pass through', async () => {
    const raw = idx(8, [4], [1, 2, 3, 4]);
    expect(await gunzip('x.gz', gzipSync(raw))).toEqual(raw);
    expect(await maybeGunzip('x', raw)).toBe(raw);
  });

  test('corrupt and truncated gzip are refused', async () => {
    const gz = gzipSync(idx(8, [100], Array(100).fill(7)));
    await expect(gunzip('cut.gz', gz.subarray(0, gz.length - 10))).rejects.toThrow(/cut.gz: corrupt or truncated gzip/);
    const flipped = Uint8Array.from(gz);
    flipped[12] = flipped[12]! ^ 0xff;
    await expect(gunzip('flipped.gz', flipped)).rejects.toThrow(/flipped.gz: corrupt or truncated gzip/);
  });
});

describe('datasets', () => {
  test('CSV: header detected, quoted cells, CRLF, blank lines, target columns from the right', () => {
    const ds = parseCsv('d.csv', '"a","b","y1","y2"\r\n1,2,0,1\r\n\r\n 3 , 4 ,1,0\r\n', 2);
    expect(ds).toMatchObject({ rows: 2, inputSize: 2, outputSize: 2 });
    expect(Array.from(ds.inputs)).toEqual([1, 2, 3, 4]);
    expect(Array.from(ds.targets)).toEqual([0, 1, 1, 0]);
  });

  test('CSV: Infinity, hex and empty cells are not numbers', () => {
    expect(() => parseCsv('d.csv', '1,Infinity,0\n')).toThrow(/column 2 is "Infinity", not a number/);
    expect(() => parseCsv('d.csv', '1,0x10,0\n')).toThrow(/column 2 is "0x10", not a number/);
    expect(() => parseCsv('d.csv', '1,,0\n')).toThrow(/column 2 is empty, not a number/);
  });

  test('JSON: wrong shapes and types, and no examples', () => {
    expect(() => parseJsonDataset('d.json', '[1, 2]')).toThrow(/expected an object with "inputs" and "targets"/);
    expect(() => parseJsonDataset('d.json', '{"inputs": [], "targets": []}')).toThrow(/no examples/);
    expect(() => parseJsonDataset('d.json', '{"inputs": [[1, 2], [3]], "targets": [1, 0]}')).toThrow(/input row 2 has 1 values, expected 2/);
    expect(() => parseJsonDataset('d.json', '{"inputs": [[1, "2"]], "targets": [1]}')).toThrow(/column 2 is "2", not a number/);
  });

  test('values beyond float32 and NaN are refused where datasets are made', () => {
    expect(() => datasetFromRows('d', [[NaN]], [[1]])).toThrow(/column 1 is NaN/);
    expect(() => datasetFromRows('d', [[1]], [[Infinity]])).toThrow(/target row 1, column 1 is Infinity/);
  });
});

describe('weights files', () => {
  test('round trip', () => {
    const w = [Float64Array.from([1, 2, 3, 4, 5, 6]), Float64Array.from([7, 8])];
    const back = decodeWeightsJson('w.json', encodeWeightsJson([3, 2, 1], w));
    expect(back.layers).toEqual([3, 2, 1]);
    expect(back.weights).toEqual(w);
  });

  test.each([
    ['not JSON', '{"format": ', /not valid JSON/],
    ['another format', '{"format": "keras"}', /not a weights file/],
    ['bad layers', '{"format": "webgpu-backprop/weights", "layers": [3, 0, 1], "weights": {}}', /layer 1 has size 0/],
    ['missing matrix', '{"format": "webgpu-backprop/weights", "layers": [2, 1], "weights": {}}', /weights_0_1 must have 2 rows of 1/],
    ['short row', '{"format": "webgpu-backprop/weights", "layers": [2, 2], "weights": {"weights_0_1": [[1, 2], [3]]}}', /row 1 must have 2 values/],
    ['a string', '{"format": "webgpu-backprop/weights", "layers": [1, 1], "weights": {"weights_0_1": [["1"]]}}', /is "1", not a finite number/],
    ['an extra matrix', '{"format": "webgpu-backprop/weights", "layers": [1, 1], "weights": {"weights_0_1": [[1]], "weights_1_2": [[1]]}}', /unexpected matrix weights_1_2/],
  ])('%s is refused', (_, text, message) => {
    expect(() => decodeWeightsJson('w.json', text)).toThrow(message);
  });
});
