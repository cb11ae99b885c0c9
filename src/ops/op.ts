// The op table's record: one step of a training plan with everything each reader needs, so no
// reader switches on what kind of step it is. The GPU trainer calls gpu(), the CPU executor
// cpu(), the page shows numpy, source, reads and writes, the evaluator keeps the forward roles.

import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import type { Shader } from '../gpu/shader.js';
import type { Dispatch } from '../gpu/dispatch.js';
import type { Schedule } from '../train/schedule.js';

/** data: the batch (layer_0, goal); layer/delta: (rows, size); parameter: weights and biases; gradient: weight_delta; scalar: error, correct. */
export type BufferRole = 'data' | 'layer' | 'delta' | 'parameter' | 'gradient' | 'scalar';

/** One buffer of a plan: its logical shape and how the GPU lays it out. */
export interface BufferSpec {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** Floats per row in the GPU buffer: cols, or rounded up to whole vec4s in the fast plan. */
  readonly stride: number;
  /** Rows in the GPU buffer: rows, or a weight matrix's rows rounded up to vec4s in the fast plan. */
  readonly height: number;
  readonly role: BufferRole;
}

/**
 * What a step does in the training loop: input (gather the batch), forward (layer by layer),
 * loss (output delta and error), metric (accuracy), backward (deltas), update (weights).
 * Evaluating a test set runs every role up to metric.
 */
export type StepRole = 'input' | 'forward' | 'loss' | 'metric' | 'backward' | 'update';

export const FORWARD_ROLES: readonly StepRole[] = ['input', 'forward', 'loss', 'metric'];

/** What a step's GPU side gets: the device, every buffer by name, the data's sizes. */
export interface GpuEnv {
  readonly ctx: GpuContext;
  buffer(name: string): GPUBuffer;
  readonly dataset: Dataset;
}

/** What a step's CPU side gets: every buffer by name (float64, unpadded), and where the run is. */
export interface CpuEnv {
  buffer(name: string): Float64Array;
  readonly schedule: Schedule;
  readonly epoch: number;
  /** The batch of the epoch being run. */
  readonly batch: number;
}

export interface Step {
  /** The op's module name under src/ops/ (matmul, activate, update, ...). */
  readonly op: string;
  /** The line of the seed's numpy this step computes. */
  readonly numpy: string;
  /** What the step does in backprop, in the lesson's words: one sentence for the page. */
  readonly explain: string;
  /** The WGSL that runs, as compiled: a file of shaders/, or an activation's file then the kernel's. */
  readonly source: Shader;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly role: StepRole;
  /** For steps whose uniform holds alpha / rows: the rows (alpha changes per epoch with a decay). */
  readonly scaleRows?: number;
  /** Builds the step's dispatch: pipeline, bind group and workgroups, once per run. */
  gpu(env: GpuEnv): Promise<Dispatch>;
  /** The same arithmetic in float64 on the logical (unpadded) buffers. */
  cpu(env: CpuEnv, alpha: number): void;
}

/** A shape's row length as a plan lays it out. */
export type Padding = (n: number) => number;
