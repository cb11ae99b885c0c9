// What a run has done so far: every iteration's error (or, for a long run, only the first, the
// last and what the stuck warning needs), the CPU shadow's errors beside them, and the epochs'
// evaluations. Each entry is checked for divergence as it comes in, against the last checkpoint.

import type { Dataset } from '../data/dataset.js';
import type { TrainConfig } from './config.js';
import { assertFinite, dataPeak, isLogged, STUCK_WINDOW, stuckWarning, type DataScale } from './divergence.js';
import type { Checkpoint, EpochReport, IterationError } from './types.js';

export class RunRecord {
  /** Every iteration's error (unless `keep` is false), from the trainer. */
  readonly errors: IterationError[] = [];
  /** The CPU shadow's error for the same iterations, when shadowed. */
  readonly referenceErrors: IterationError[] = [];
  readonly epochs: EpochReport[] = [];
  private first: IterationError | undefined;
  private readonly tail: IterationError[] = [];
  private readonly scale: DataScale;

  constructor(
    private readonly config: TrainConfig,
    dataset: Dataset,
    private readonly keep: boolean,
    private readonly onLog?: (entry: IterationError) => void,
  ) {
    this.scale = { peak: dataPeak(dataset), rows: dataset.rows };
  }

  get firstError(): IterationError | undefined {
    return this.first;
  }

  get lastError(): IterationError | undefined {
    return this.tail.at(-1);
  }

  /** Warnings for a run that finished (a stuck error). */
  get warnings(): string[] {
    return stuckWarning(this.tail, this.config);
  }

  /** Completed iterations: each checked for divergence (the last finite weights are `checkpoint`'s), kept, and logged at log points. */
  add(entries: readonly IterationError[], checkpoint: Checkpoint): void {
    for (const entry of entries) {
      assertFinite(entry, this.config, this.first?.error ?? entry.error, checkpoint, this.scale);
      this.first ??= entry;
      if (this.keep) this.errors.push(entry);
      this.tail.push(entry);
      if (this.tail.length > STUCK_WINDOW) this.tail.shift();
      if (isLogged(entry.iteration, this.config)) this.onLog?.(entry);
    }
  }

  /** The shadow's errors for the same iterations. */
  addReference(entries: readonly IterationError[]): void {
    if (this.keep) for (const entry of entries) this.referenceErrors.push(entry);
  }

  /** Forgets everything from iteration `at` on (it is trained again after a lost device). */
  forgetFrom(at: number): void {
    for (const list of [this.errors, this.referenceErrors, this.tail]) while (list.length && list.at(-1)!.iteration >= at) list.pop();
    if (this.first && this.first.iteration >= at) this.first = undefined;
    while (this.epochs.length && this.epochs.at(-1)!.epoch >= at) this.epochs.pop();
  }
}
