// gunzip with the platform's DecompressionStream (browsers, and Node 18+), so the same loader
// reads .gz files in the page and the CLI. A corrupt or truncated file becomes a DataError.

import { DataError } from '../errors.js';
import { isGzip } from './idx.js';

export async function gunzip(name: string, bytes: Uint8Array): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    throw new DataError(`${name}: corrupt or truncated gzip data (${(cause as Error).message})`);
  }
}

/** The bytes themselves, or their decompression when they are gzipped. */
export function maybeGunzip(name: string, bytes: Uint8Array): Promise<Uint8Array> | Uint8Array {
  return isGzip(bytes) ? gunzip(name, bytes) : bytes;
}
