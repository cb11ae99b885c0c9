// The IDX format of the MNIST files (train-images-idx3-ubyte, ...): a magic number whose third byte
// is the element type (0x08, unsigned byte) and fourth the number of dimensions, the dimensions as
// big-endian 32-bit integers, then the data. Gzipped files are recognised by their first bytes
// and decompressed by the caller's gunzip (node:zlib in Node, DecompressionStream in browsers).

import { DataError } from '../errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The dimensions and where the data starts, from the header; `final` when `bytes` is the whole file. */
function readHeader(name: string, bytes: Uint8Array, final: boolean): { dims: number[]; start: number } | undefined {
  const fail = (why: string): never => {
    throw new DataError(`${name}: not a usable IDX file (${why})`);
  };
  if (bytes.length < 4) return final ? fail('shorter than its 4-byte magic number') : undefined;
  if (bytes[0] !== 0 || bytes[1] !== 0) fail('bad magic number: it should start with two zero bytes');
  const type = bytes[2]!;
  if (type !== 0x08) fail(`element type 0x${type.toString(16).padStart(2, '0')}; only unsigned bytes (0x08), as in MNIST, are read`);
  const rank = bytes[3]!;
  if (rank < 1 || rank > 4) fail(`${rank} dimensions`);
  if (bytes.length < 4 + 4 * rank) return final ? fail('truncated before the end of its dimensions') : undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dims: Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false)), start: 4 + 4 * rank };
}

/**
 * For gunzip: the whole size an IDX file's header promises (header and data), from its first
 * bytes; undefined while they are too few to tell. A header that is not IDX is refused at once.
 */
export function idxSizeLimit(name: string): (head: Uint8Array) => number | undefined {
  return (head) => {
    const header = readHeader(name, head, false);
    return header && header.start + header.dims.reduce((a, b) => a * b, 1);
  };
}

export function parseIdx(name: string, bytes: Uint8Array): IdxArray {
  const fail = (why: string): never => {
    throw new DataError(`${name}: not a usable IDX file (${why})`);
  };
  const { dims, start } = readHeader(name, bytes, true)!;
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - start < count) fail(`truncated: dimensions ${dims.join('×')} need ${count} bytes of data, the file has ${bytes.length - start}`);
  if (bytes.length - start > count) fail(`${bytes.length - start - count} bytes past the end of the data`);
  return { dims, data: bytes.subarray(start, start + count) };
}
