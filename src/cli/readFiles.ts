// Reading the command's input files, bounded: each kind of file has a size it may not pass, and a
// file is read in chunks that stop there, so /dev/zero, a named pipe or a 10 GB file is refused
// with one line instead of filling memory. Errors name the file and the reason.

import { open, readdir } from 'node:fs/promises';
import { DataError } from '../errors.js';
import { reason } from './saveFile.js';

const MB = 1024 * 1024;

/** What each kind of input may weigh, and what to do with something bigger. */
export const READ_LIMITS = {
  /** CSV and JSON datasets are parsed whole (about 12 bytes of memory per byte of JSON). */
  text: { bytes: 256 * MB, what: 'CSV and JSON datasets', hint: 'give larger data as IDX files (gzipped or not), which are read as bytes' },
  /** An IDX file (compressed or not): 60,000 MNIST images are 47 MB. */
  idx: { bytes: 2048 * MB, what: 'IDX files', hint: 'split the data' },
  /** Weights for --load: a 784-4096-10 network's JSON is about 70 MB. */
  weights: { bytes: 512 * MB, what: 'weights files', hint: 'save larger networks as .npy files' },
} as const;

export type ReadKind = keyof typeof READ_LIMITS;

function size(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(0)} MB` : `${bytes.toLocaleString('en')} bytes`;
}

/** The whole file, read in chunks, refused as soon as it passes the limit for its kind. */
export async function readCapped(path: string, kind: ReadKind): Promise<Uint8Array> {
  const limit = READ_LIMITS[kind];
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new DataError(`cannot read ${path}: ${readReason(error)}`);
  });
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new DataError(`cannot read ${path}: it is a directory`);
    if (stat.size > limit.bytes) throw tooBig(path, stat.size, limit);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(Math.min(16 * MB, Math.max(64 * 1024, stat.size - total + 1)));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null).catch((error: unknown) => {
        throw new DataError(`cannot read ${path}: ${readReason(error)}`);
      });
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit.bytes) throw tooBig(path, undefined, limit);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    await handle.close();
  }
}

function tooBig(path: string, bytes: number | undefined, limit: (typeof READ_LIMITS)[ReadKind]): DataError {
  const is = bytes === undefined ? `more than ${size(limit.bytes)}` : size(bytes);
  return new DataError(`${path}: ${is}; ${limit.what} are read up to ${size(limit.bytes)}`, limit.hint);
}

function readReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  return reason(error);
}

/** The file as UTF-8 text, bounded as readCapped. */
export async function readTextCapped(path: string, kind: ReadKind): Promise<string> {
  return new TextDecoder('utf-8').decode(await readCapped(path, kind));
}

/** The names in a directory, or one line saying why they cannot be listed. */
export async function listDirectory(path: string): Promise<string[]> {
  return readdir(path).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    throw new DataError(`cannot read the directory ${path}: ${code === 'ENOENT' ? 'no such directory' : reason(error)}`);
  });
}
