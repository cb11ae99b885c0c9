// The `backprop` command: the same orchestrator as the page, in Node through Dawn.
//   backprop train                       the seed's two-layer program, printing what numpy prints
//   backprop train --example one-layer   the seed's first program
// Bad options and bad data get one line on stderr and a non-zero exit, never a stack trace.

import { BackpropError } from '../errors.js';
import { runCli } from './train.js';

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  try {
    return await runCli(argv, io);
  } catch (error) {
    if (error instanceof BackpropError) {
      io.err(`backprop: ${error.describe()}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`backprop: unexpected error: ${message}`);
    if (process.env.BACKPROP_DEBUG && error instanceof Error) io.err(error.stack ?? '');
    return 1;
  }
}

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  readText(path: string): Promise<string>;
}

function defaultIO(): CliIO {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readText: async (path) => (await import('node:fs/promises')).readFile(path, 'utf8'),
  };
}
