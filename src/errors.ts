// Typed errors. Each says what went wrong and what to do about it, so the CLI can print one
// line and the page can show a message instead of wrong numbers.

export class BackpropError extends Error {
  /** What the user can do about it; printed after the message. */
  readonly hint: string | undefined;
  /** The command's exit status for it. */
  readonly exitCode: number = 1;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
  /** One line for a terminal or a status bar. */
  describe(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** navigator.gpu is missing (old browser, non-secure context) or the Node binding failed to load. */
export class WebGPUUnavailableError extends BackpropError {}

/** requestAdapter() answered null. */
export class AdapterUnavailableError extends BackpropError {}

/** The workload needs more of a device limit than the adapter offers. */
export class LimitExceededError extends BackpropError {
  constructor(
    readonly limit: string,
    readonly needed: number,
    readonly available: number,
    what: string,
  ) {
    super(
      `${what} needs ${limit} = ${needed}, but this adapter allows at most ${available}`,
      'use smaller layers or batches, or a GPU with higher limits',
    );
  }
}

/** The device was lost (driver reset, device.destroy(), tab in the background too long). */
export class DeviceLostError extends BackpropError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(
      `the GPU device was lost (${reason})${detail ? `: ${detail}` : ''}`,
      'the last weights read back are kept; resume the run on a new device',
    );
  }
}

/**
 * A validation, out-of-memory or internal error reported by WebGPU while running a step. The
 * implementation's report can run to many lines (Dawn adds ' - While calling …' context, naga a
 * drawing of the source): the message is its first line, the whole report is `detail`.
 */
export class GpuError extends BackpropError {
  readonly detail: string;
  /**
   * `kind` as WebGPU says it; `files`, for an error about one kernel, the files of shaders/ it was
   * compiled from (the shader lab shows the error beside an edited one).
   */
  constructor(
    readonly kind: 'validation' | 'out-of-memory' | 'internal' | 'uncaptured',
    message: string,
    readonly files: readonly string[] = [],
  ) {
    super(`WebGPU ${kind} error: ${message.trim().split('\n')[0]!.trim()}`);
    this.detail = message;
  }
}

/** A loop of an edited kernel ran past its guard's limit and was stopped (src/gpu/loopGuard.ts). */
export class LoopGuardError extends BackpropError {
  constructor(
    readonly file: string,
    readonly line: number,
    limit: number,
    where: string,
  ) {
    super(
      `the loop at line ${line} of shaders/${file}.wgsl ran past ${limit.toLocaleString('en')} iterations ${where} and was stopped`,
      'a correct kernel needs far fewer: look at what its condition tests and what changes it',
    );
  }
}

/** A WGSL shader failed to compile; names the shader file, line and column. */
export class ShaderCompileError extends BackpropError {
  constructor(
    readonly shader: string,
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(`shaders/${shader}.wgsl:${line}:${column}: ${detail}`);
  }
}

/** Bad data: unreadable files, ragged rows, non-finite values, shapes that do not fit the network. */
export class DataError extends BackpropError {}

/** A bad option: unknown name, missing value, out-of-range number. */
export class OptionError extends BackpropError {}

/** Training stopped because the error stopped being finite or exploded. */
export class DivergenceError extends BackpropError {}

/** The GPU and the CPU reference disagree beyond the tolerance policy. */
export class MismatchError extends BackpropError {}

/** The command's output could not be written (a full disk, a closed stdout): the run stops rather than print into nothing. */
export class OutputError extends BackpropError {}

/** The run was stopped by a signal (Ctrl-C, kill): the status is 128 + its number, as a shell reports it. */
export class InterruptedError extends BackpropError {
  override readonly exitCode: number;
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
