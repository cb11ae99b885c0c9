// The records a training run hands around: between the trainers (GPU and CPU), the run engine, the
// command and the page. Types only, so any side may import them without pulling in a device.

export interface IterationError {
  /** 0-based. */
  iteration: number;
  /**
   * Σ over the iteration's examples of (prediction − goal)² (or of the cross-entropy, with a
   * softmax output), each from the forward pass that trained on it.
   */
  error: number;
  /** For classification data: the examples whose largest output was their class, in those same passes. */
  correct?: number;
}

/** Where a run stands: iterations done, the next batch of the current one, the next dispatch of that batch, the updates made. */
export interface Position {
  iteration: number;
  batch: number;
  /** The next dispatch of the current batch's plan; 0 between batches. */
  dispatch: number;
  steps: number;
}

/** Weights read back at an iteration's end: what a run resumes from, or keeps when it stops. */
export interface Checkpoint {
  /** Iterations completed when these weights were read back. */
  iteration: number;
  weights: Float32Array[] | Float64Array[];
}

/** A classification run's figures after a logged epoch. */
export interface EpochReport {
  /** 0-based, as iterations are. */
  epoch: number;
  /** Mean loss per training example, from the forward passes that trained on them. */
  trainError: number;
  trainAccuracy: number;
  /** Mean loss per test example, and accuracy, with the weights at the end of the epoch. */
  testError?: number;
  testAccuracy?: number;
}

/** What the CPU shadow found over a run. */
export interface CheckSummary {
  /** Largest |gpu − cpu| over every weight at every comparison. */
  maxDiff: number;
  /** The bound at the last comparison. */
  bound: number;
  /** Largest relative difference in the error per iteration. */
  maxErrorDiff: number;
  ok: boolean;
  /** The first comparison beyond the bound: which weights, where, both values. */
  firstFailure?: string | undefined;
}

/** Error and correct count of a forward pass over a data set, without training. */
export interface Evaluation {
  error: number;
  correct: number;
  rows: number;
}
