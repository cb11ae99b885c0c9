// gunzip with the platform's DecompressionStream (browsers, and Node 18+), so the same loader
// reads .gz files in the page and the CLI. Decompression is bounded: it reads chunk by chunk and
// stops as soon as the output passes what the caller says the data can be (for an IDX file, what
// its header promises), so a small file that would inflate to gigabytes is refused at once.
// A corrupt or truncated file becomes a DataError.

import { DataError } from '../errors.js';
import { isGzip } from './idx.js';

/**
 * The most bytes the decompressed data may have, judged from its first bytes (`head`, everything
 * decompressed so far); undefined while `head` is too short to tell.
 */
export type SizeLimit = (head: Uint8Array) => number | undefined;

/** Without a header to go by: no more than this. */
export const GUNZIP_CAP = 1 << 30;

export async function gunzip(name: string, bytes: Uint8Array, limit: SizeLimit = () => GUNZIP_CAP): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let allowed: number | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
      if (allowed === undefined) {
        allowed = limit(concat(chunks, Math.min(length, 64)));
      }
      const cap = allowed ?? GUNZIP_CAP;
      if (length > cap) {
        await reader.cancel().catch(() => undefined);
        throw new DataError(
          `${name}: decompresses to more than the ${cap.toLocaleString('en')} bytes ${allowed === undefined ? 'allowed' : 'its header promises'}; refused (a corrupt file, or a decompression bomb)`,
        );
      }
    }
  } catch (cause) {
    if (cause instanceof DataError) throw cause;
    throw new DataError(`${name}: corrupt or truncated gzip data (${(cause as Error).message})`);
  }
  return concat(chunks, length);
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= length) break;
    out.set(chunk.subarray(0, length - at), at);
    at += chunk.length;
  }
  return out;
}

/** The bytes themselves, or their decompression (bounded by `limit`) when they are gzipped. */
export function maybeGunzip(name: string, bytes: Uint8Array, limit?: SizeLimit): Promise<Uint8Array> | Uint8Array {
  return isGzip(bytes) ? gunzip(name, bytes, limit) : bytes;
}
