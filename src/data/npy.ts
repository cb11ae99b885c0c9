// numpy's .npy format, so weights go to and from numpy: np.load('weights_0_1.npy') gives the
// (rows, cols) float32 matrix. A file is the magic "\x93NUMPY", a version, a header length, a
// Python-literal header dict ({'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }) padded
// so the data starts on a 64-byte boundary, then the values. Parsed here, never evaluated.

import { DataError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A float32 .npy file of the given shape (C order). */
export function encodeNpy(values: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new RangeError(`shape (${shape.join(', ')}) holds ${count} values, got ${values.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(MAGIC.length + 4 + header.length + count * 4);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const data = new Float32Array(out.buffer, 10 + header.length, count);
  data.set(Array.from(values));
  return out;
}

export interface NpyArray {
  shape: number[];
  /** The values in C (row-major) order, as float64. */
  values: Float64Array;
}

/** Reads a float32 or float64 .npy file of any shape, refusing anything else with a reason. */
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
  const start = 8 + lengthBytes;
  if (bytes.length < start + headerLength) fail('truncated header');
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('its header is not a numpy array header');
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) fail(`bad shape (${shapeText})`);
  const size = descr === '<f4' ? 4 : descr === '<f8' ? 8 : fail(`dtype ${descr}; save float32 or float64 weights (astype(np.float32))`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  if (bytes.length - dataStart !== count * size) {
    fail(`shape (${shape.join(', ')}) needs ${count * size} bytes of data, the file has ${bytes.length - dataStart}`);
  }
  // A copy, aligned and of exactly the data (a Node Buffer's .buffer is a shared pool).
  const raw = new Uint8Array(bytes.subarray(dataStart, dataStart + count * size)).buffer;
  const flat = size === 4 ? new Float32Array(raw) : new Float64Array(raw);
  const values = new Float64Array(count);
  if (fortran === 'True' && shape.length === 2) {
    const [rows, cols] = shape as [number, number];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = flat[c * rows + r]!;
  } else {
    values.set(flat);
  }
  return { shape, values };
}
