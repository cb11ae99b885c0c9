import { describe, expect, test } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/data/npy.js';
import { base64Bytes, numpy } from '../fixtures/numpy.js';

const { npy } = numpy;

describe('.npy files', () => {
  test("what we write is byte for byte what np.save writes", () => {
    expect(encodeNpy(npy.values, [3, 4])).toEqual(base64Bytes(npy.f4_3x4));
    expect(encodeNpy([0.5, 0.48, -0.7], [3])).toEqual(base64Bytes(npy.f4_3));
    expect(encodeNpy([0, 1 / 3, 2 / 3, 1], [4, 1])).toEqual(base64Bytes(npy.f4_4x1));
  });

  test("numpy's float32, float64 and Fortran-order files read back as the same matrix", () => {
    const want = npy.values.map(Math.fround);
    for (const key of ['f4_3x4', 'f8_3x4', 'f4_3x4_fortran'] as const) {
      const a = decodeNpy(key, base64Bytes(npy[key]));
      expect(a.shape).toEqual([3, 4]);
      expect(Array.from(a.values)).toEqual(want);
    }
  });

  test('refuses other dtypes, truncated data and non-npy bytes, saying why', () => {
    expect(() => decodeNpy('ints.npy', base64Bytes(npy.i4_3x4))).toThrow(/ints.npy: .*dtype <i4/);
    const good = base64Bytes(npy.f4_3x4);
    expect(() => decodeNpy('short.npy', good.subarray(0, good.length - 4))).toThrow(/needs 48 bytes of data, the file has 44/);
    expect(() => decodeNpy('text.npy', new TextEncoder().encode('{"weights": []}'))).toThrow(/does not start with/);
    expect(() => decodeNpy('tiny.npy', good.subarray(0, 12))).toThrow(/truncated header/);
  });
});
