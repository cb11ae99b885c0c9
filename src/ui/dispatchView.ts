// What the page shows of one dispatch: the buffers it read and wrote beside the CPU's, the
// kernel's bindings as its WGSL declares them, its uniform values and its invocation grid.

import type { Dataset } from '../data/dataset.js';
import type { Dispatch, InvocationGrid } from '../gpu/dispatch.js';
import type { Timing } from '../gpu/timing.js';
import type { Step } from '../ops/op.js';
import type { Shader } from '../gpu/shader.js';
import type { Plan } from '../train/plan.js';

export interface BufferView {
  name: string;
  rows: number;
  cols: number;
  /** What the GPU holds after the dispatch (or the CPU, without a GPU). */
  values: Float32Array | Float64Array;
  /** For a buffer the dispatch wrote: what it held before (so an in-place op shows both). */
  before?: Float32Array | Float64Array;
  /** The CPU reference's value of the same buffer. */
  reference: Float64Array;
  maxDiff: number;
}

export interface DispatchView {
  step: Step;
  /** The WGSL that ran: the kernel as compiled on the GPU (the lab's edits and the variant chosen included), else the step's own. */
  source: Shader;
  /** Where the kernel has variants (the fast matmul): the one that ran. */
  variant: string | undefined;
  index: number;
  batch: number;
  iteration: number;
  workgroups: readonly [number, number, number] | undefined;
  /** The kernel's override constants (workgroup size, transposes), on the GPU. */
  constants: Readonly<Record<string, number | boolean>> | undefined;
  /** Which buffer is bound to which WGSL variable, on the GPU. */
  bound: Readonly<Record<string, string>> | undefined;
  /** The kernel's bindings as its WGSL declares them, each with the buffer bound and its shape. */
  bindings: BindingRow[];
  /** The kernel's entry point (main, or forward/backward/gradient in matmul_fast). */
  entryPoint: string | undefined;
  /** The values of the kernel's uniform struct. */
  uniforms: Readonly<Record<string, number>> | undefined;
  /** Which invocation computes which output cell, and the output's shape. */
  grid: { grid: InvocationGrid; buffer: string; rows: number; cols: number; stride: number } | undefined;
  /** How long the dispatch took: GPU timestamps, or submit to done on the CPU. */
  timing: Timing | undefined;
  /** Whether a step back is possible now, and if not why. */
  back: { ok: true } | { ok: false; why: string };
  read: BufferView[];
  written: BufferView[];
}

export interface BindingRow {
  /** The WGSL variable. */
  name: string;
  kind: 'uniform' | 'read' | 'rw';
  /** The buffer bound to it, or undefined for the kernel's own uniform. */
  buffer: string | undefined;
  rows: number | undefined;
  cols: number | undefined;
}

/** The kernel's bindings, each with the buffer bound to it and that buffer's shape. */
export function bindingRows(dispatch: Dispatch, plan: Plan, dataset: Dataset): BindingRow[] {
  return dispatch.kernel.reflection.bindings.map((b) => {
    const buffer = dispatch.bound[b.name];
    const spec = plan.buffers.find((x) => x.name === buffer);
    const data = buffer === 'inputs' ? dataset.inputSize : buffer === 'targets' ? dataset.outputSize : undefined;
    return {
      name: b.name,
      kind: b.kind,
      buffer,
      rows: spec?.rows ?? (data !== undefined ? dataset.rows : undefined),
      cols: spec?.cols ?? data,
    };
  });
}

export function gridOf(dispatch: Dispatch, plan: Plan): DispatchView['grid'] {
  const grid = dispatch.grid;
  const buffer = grid && dispatch.bound[grid.output];
  const spec = buffer ? plan.buffers.find((b) => b.name === buffer) : undefined;
  return grid && buffer && spec ? { grid, buffer, rows: spec.rows, cols: spec.cols, stride: spec.stride } : undefined;
}
