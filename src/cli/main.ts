// The `backprop` command: the same orchestrator as the page, in Node through Dawn.
//   backprop train                       the seed's two-layer program, printing what numpy prints
//   backprop train --example one-layer   the seed's first program
// Bad options and bad data get one line on stderr and a non-zero exit, never a stack trace.

import { BackpropError, OutputError } from '../errors.js';
import type { DeviceNeeds, GpuContext } from '../gpu/context.js';
import { listDirectory, readCapped, readTextCapped, type ReadKind } from './readFiles.js';
import { checkSaveTarget, makeDirectory, saveText } from './saveFile.js';
import { runCli } from './train.js';

export async function main(argv: string[], io: CliIO = nodeIO()): Promise<number> {
  try {
    return await runCli(argv, io);
  } catch (error) {
    if (error instanceof BackpropError) {
      io.err(`backprop: ${safeLine(error.describe())}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`backprop: unexpected error: ${safeLine(message)}`);
    if (process.env.BACKPROP_DEBUG && error instanceof Error) io.err(error.stack ?? '');
    return 1;
  }
}

/** Quoted values longer than this are cut in messages. */
const QUOTE_LIMIT = 60;

/**
 * A message made safe to print on a terminal as one line: control characters that came from a
 * file or an argument (ANSI escapes, a bare CR, tabs, newlines) are shown escaped, never sent raw;
 * a quoted value longer than 60 characters is cut, saying how long it was.
 */
export function safeLine(message: string): string {
  const escaped = message.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return escaped.replace(/"([^"]*)"/g, (whole, inner: string) =>
    inner.length > QUOTE_LIMIT ? `"${inner.slice(0, QUOTE_LIMIT)}…" (${inner.length.toLocaleString('en')} characters)` : whole,
  );
}

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** A whole file as text, bounded by the limit for its kind (src/cli/readFiles.ts). */
  readText(path: string, kind: ReadKind): Promise<string>;
  /** Writes --save (or `option`) whole (src/cli/saveFile.ts): to a temporary name, then renamed; a fallback file on failure. */
  writeText(path: string, text: string | Uint8Array, option?: string): Promise<void>;
  /** Fails now, before training, if --save (or `option`) `path` could not be written later; `reading` are the data files. */
  checkWritable(path: string, reading: readonly string[], option?: string): Promise<void>;
  /** Makes the directory an option names (export --pytorch DIR), or fails in one line. */
  makeDirectory(path: string, option: string): Promise<void>;
  readBytes(path: string, kind: ReadKind): Promise<Uint8Array>;
  isDirectory(path: string): Promise<boolean>;
  listDirectory(path: string): Promise<string[]>;
  /** stderr is a terminal: a progress bar may redraw itself there. */
  isTerminal: boolean;
  /** Writes to stderr without a newline (for a progress bar). */
  errRaw(text: string): void;
  /**
   * Where a run's device comes from: a new one by default (createNodeGpuContext), destroyed when
   * the run ends. The tests lend every in-process run one device, so that each kernel is compiled
   * once per test file rather than once per run (test/helpers/cli.ts).
   */
  gpu?(needs: DeviceNeeds): Promise<GpuContext>;
}

/**
 * A write to stdout that failed (ENOSPC on a full disk, EBADF...), as the stream reported it; a
 * closed pipe (EPIPE) is not one: bin/backprop.js ends the command quietly then, as Unix tools do.
 */
let outputFailure: NodeJS.ErrnoException | undefined;

/** Called by bin/backprop.js for every error stdout reports. */
export function noteOutputError(error: NodeJS.ErrnoException): void {
  outputFailure ??= error;
}

/** The one line for a failed write, or undefined. */
export function outputProblem(): string | undefined {
  return outputFailure && `cannot write the output: ${outputFailure.code ?? 'error'} (${outputFailure.message.replace(/^\w+: /, '').split(',')[0]})`;
}

export function nodeIO(): CliIO {
  return {
    out: (line) => {
      // Stop at the next line once a write has failed: the run would only print into nothing.
      const problem = outputProblem();
      if (problem) throw new OutputError(problem, 'free some space, or send the output somewhere it can be written');
      process.stdout.write(`${line}\n`);
    },
    err: (line) => process.stderr.write(`${line}\n`),
    errRaw: (text) => process.stderr.write(text),
    isTerminal: process.stderr.isTTY === true,
    readBytes: readCapped,
    readText: readTextCapped,
    isDirectory: async (path) => (await (await import('node:fs/promises')).stat(path).catch(() => undefined))?.isDirectory() ?? false,
    listDirectory,
    writeText: (path, text, option) => saveText(path, text, undefined, undefined, option),
    checkWritable: (path, reading, option) => checkSaveTarget(path, reading, undefined, option),
    makeDirectory,
  };
}
