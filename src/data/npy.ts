// numpy's .npy format, so weights go to and from numpy: np.load('weights_0_1.npy') gives the
// (rows, cols) float32 matrix. A file is the magic "\x93NUMPY", a version, a header length, a
// Python-literal header dict ({'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }) padded
// so the data starts on a 64-byte boundary, then the values. Parsed here, never evaluated.

import { DataError } from '../errors.js';
import { lookup } from '../lookup.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A float32 (or float64) .npy file of the given shape (C order). */
export function encodeNpy(values: ArrayLike<number>, shape: readonly number[], dtype: 'float32' | 'float64' = 'float32'): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new RangeError(`shape (${shape.join(', ')}) holds ${count} values, got ${values.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const size = dtype === 'float64' ? 8 : 4;
  let header = `{'descr': '<f${size}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(MAGIC.length + 4 + header.length + count * size);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // The header ends on a 64-byte boundary, so the values are aligned for a typed array (little-endian machines).
  const data = dtype === 'float64' ? new Float64Array(out.buffer, 10 + header.length, count) : new Float32Array(out.buffer, 10 + header.length, count);
  data.set(values);
  return out;
}

export interface NpyArray {
  shape: number[];
  /** The values in C (row-major) order, as float64. */
  values: Float64Array;
}

/** The float dtypes numpy writes, by their descr after the byte order: '<' little-endian, '>' big-endian ('=' and '|' read as little). */
const FLOAT_SIZES: Record<string, 2 | 4 | 8> = { f2: 2, f4: 4, f8: 8 };

/** Largest header accepted: numpy's own limit for reading is 10,000 bytes unless told otherwise. */
const MAX_HEADER = 10_000;

/**
 * Reads a float .npy file of any shape (float16, float32 or float64, either byte order, C or
 * Fortran order), refusing anything else with a reason. The data must be exactly what the header
 * promises: nothing is read past it, and a file shorter or longer is refused.
 */
export function decodeNpy(name: string, bytes: Uint8Array): NpyArray {
  const fail = (why: string): never => {
    throw new DataError(`${name}: not a usable .npy file (${why})`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('it does not start with \\x93NUMPY');
  const major = bytes[6]!;
  if (major < 1 || major > 3) fail(`unknown format version ${major}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_HEADER) fail(`a header of ${headerLength} bytes; numpy writes a few hundred`);
  const start = 8 + lengthBytes;
  if (bytes.length < start + headerLength) fail('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('its header is not a numpy array header');
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) fail(`bad shape (${shapeText!.slice(0, 40)})`);
  const order = descr![0]!;
  const size = lookup(FLOAT_SIZES, descr!.slice(1));
  if (!'<>|='.includes(order) || size === undefined) {
    fail(`dtype ${descr!.slice(0, 20)}; weights are read as float16, float32 or float64 (save with astype(np.float32))`);
  }
  const little = order !== '>';
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  if (bytes.length - dataStart !== count * size!) {
    fail(`shape (${shape.join(', ')}) needs ${count * size!} bytes of data, the file has ${bytes.length - dataStart}`);
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart, count * size!);
  const read =
    size === 8 ? (i: number) => data.getFloat64(i * 8, little) : size === 4 ? (i: number) => data.getFloat32(i * 4, little) : (i: number) => float16(data.getUint16(i * 2, little));
  const values = new Float64Array(count);
  if (fortran === 'True' && shape.length > 1) {
    // Fortran order: the first index varies fastest. Walk the C-order index and find each value.
    const strides = shape.map((_, d) => shape.slice(0, d).reduce((a, b) => a * b, 1));
    const index = shape.map(() => 0);
    for (let i = 0; i < count; i++) {
      let at = 0;
      for (let d = 0; d < shape.length; d++) at += index[d]! * strides[d]!;
      values[i] = read(at);
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++index[d]! < shape[d]!) break;
        index[d] = 0;
      }
    }
  } else {
    for (let i = 0; i < count; i++) values[i] = read(i);
  }
  return { shape, values };
}

/** An IEEE half-precision value from its 16 bits. */
export function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
