// The page's two kinds of lesson behind one interface: the seed's networks (stepped dispatch by
// dispatch, shadowed by the CPU) and real digits (epochs, a test set, a drawing pad). The app
// drives whichever is current through this and never asks which kind it is.

import type { TrainConfig } from '../../train/config.js';

export interface Lesson {
  readonly config: TrainConfig;
  /** Every iteration (epoch) has run. */
  readonly done: boolean;
  /** On the GPU, or on the CPU reference alone. */
  readonly onGpu: boolean;
  /** The weights last read back (the biases after them). */
  readonly weights: Float32Array[] | Float64Array[];
  /** The page's cards this lesson shows; the others are hidden. */
  readonly cards: readonly string[];
  /** Whether one dispatch at a time can be run (the teaching plan), and if not, why. */
  readonly dispatchStepping: { ok: true } | { ok: false; why: string };
  /** Runs to the end (or a pause), drawing after each piece. */
  run(render: () => void, frame: () => Promise<void>): Promise<void>;
  /** Runs one iteration (an epoch). */
  stepIteration(render: () => void, frame: () => Promise<void>): Promise<void>;
  /** Runs the next dispatch alone. */
  stepDispatch(): Promise<void>;
  /** Puts back what the last dispatch wrote (within a batch). */
  stepBack(): Promise<void>;
  pause(): void;
  /** Waits for the operation in flight, then frees the GPU buffers. */
  close(): Promise<void>;
  /** Draws the lesson's views. */
  render(): void;
  /** The run so far as a JSON-able trace, for the export button. */
  trace(): Record<string, unknown>;
}
