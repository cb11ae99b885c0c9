// The page's two kinds of lesson behind one interface: the seed's networks (stepped dispatch by
// dispatch, shadowed by the CPU) and real digits (epochs, a test set, a drawing pad). The app
// drives whichever is current through this and never asks which kind it is.

import type { GpuContext } from '../../gpu/context.js';
import type { TrainConfig } from '../../train/config.js';
import type { Failure } from '../grading.js';
import type { Curve } from '../views/chart.js';
import type { StepTiming } from '../../train/gpuTrainer.js';

/** One plan's step, each dispatch timed in a pass of its own. */
export type StepTimings = { plan: 'teaching' | 'fast'; rows: StepTiming[] }[];

/** How a graded run (edited kernels) went: its first wrong dispatch, if any, and whether the shadow agreed. */
export interface Grading {
  failure: Failure | undefined;
  ok: boolean;
  /** Iterations completed. */
  iterations: number;
  /** Compared dispatch by dispatch (false: the lab's grading is off, compared only after each chunk). */
  graded: boolean;
}

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
  /**
   * Whether the shader lab's edited kernels run in this lesson, where they are graded; a lesson
   * that cannot grade them runs the kernels as they are in shaders/ and says so.
   */
  readonly takesEdits: boolean;
  /** The files of shaders/ its GPU plan compiles (what an edit can change); none on the CPU alone. */
  readonly compiledFiles: ReadonlySet<string>;
  /** Whether the last dispatch can be put back (Step back), and if not, why. */
  readonly steppingBack: { ok: true } | { ok: false; why: string };
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
  /** What the last action did, in one sentence for a screen reader's status line. */
  announce(): string;
  /** The run so far as a JSON-able trace, for the export button. */
  trace(): Record<string, unknown>;
  /** Iterations (epochs) completed when the weights were last read back: what a resumed run goes on from. */
  readonly checkpointIteration: number;
  /** Goes on from the last checkpoint on a new device, after the old one was lost. */
  resume(ctx: GpuContext): Promise<void>;

  // What only some lessons can do: the app offers each where the lesson has it.

  /** The network's outputs for a drawn image (or none drawn). */
  showDrawing?(image: Float32Array | undefined): void;
  /** One step of each plan, timed dispatch by dispatch. */
  timeStep?(): Promise<StepTimings>;
  /** The run as a curve to keep on the chart, dashed, when it is reset; undefined if nothing ran. */
  keptCurve?(label: string, color: string): Curve | undefined;
  /** How the run went against the CPU, for the shader lab. */
  grading?(): Grading;
}
