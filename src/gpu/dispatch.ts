// The one shape every kernel produces, a Dispatch (pipeline + bind group + workgroup counts),
// assembled in one place; how it is recorded; and the helpers that size workgroups and grids.

import { LimitExceededError } from '../errors.js';
import type { GpuContext } from './context.js';
import { kernel, type Kernel } from './kernel.js';
import type { Shader } from './shader.js';
import { uniformBytes, uniformOffset } from './wgsl.js';
import { LOOP_GUARD, loopGuardBuffer } from './loopGuard.js';

/** A recorded-many-times unit of work: built once, encoded once per batch. */
export interface Dispatch {
  readonly label: string;
  readonly kernel: Kernel;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  /** Which buffer is bound to which WGSL variable: { a: 'layer_1', b: 'weights_1_2', ... }. */
  readonly bound: Readonly<Record<string, string>>;
  /** Buffers made for this dispatch alone (its uniforms), destroyed with it. */
  readonly owned: readonly GPUBuffer[];
  /** Set when binding 0 is read at a dynamic offset (the batch table). */
  readonly dynamic?: boolean;
  /** Where the step size (alpha / rows) lives in the dispatch's uniform, for changing alpha between epochs. */
  readonly scale?: { buffer: GPUBuffer; offset: number };
  /** The values of its uniform struct, by WGSL field name (for showing what a dispatch was given). */
  readonly uniforms?: Readonly<Record<string, number>>;
  /** Which invocation computes which output cell, as the WGSL indexes them: for the page's picture. */
  readonly grid?: InvocationGrid;
  /** Where a kernel has variants (the fast matmul): which one this is, e.g. "register 8×16". */
  readonly variant?: string;
}

/**
 * How a kernel's invocations cover its output, as its WGSL computes the indices: the invocation
 * that writes each output cell, and what that cell's computation reads.
 */
export interface InvocationGrid {
  /** Invocations per workgroup, x and y (WORKGROUP_SIZE, or WX × WY ...). */
  readonly size: readonly [number, number];
  /** The WGSL binding the invocations write (c, layer, delta, weights). */
  readonly output: string;
  /** The global invocation id (x, y) that computes cell (row, col); `stride` is the buffer's row length. */
  owner(row: number, col: number, stride: number): [number, number];
  /** The cells of other bindings that cell (row, col) is computed from; a missing row or col means all of it. */
  reads?(row: number, col: number): { binding: string; row?: number; col?: number }[];
  /**
   * A single-workgroup tree sum after the cells are written (the reductions): every invocation
   * stores its partial sum in workgroup memory, then at each level the lower half adds the upper
   * half's, with a barrier between levels, and invocation 0 adds the total into `into`[0].
   */
  readonly treeSum?: { readonly into: string };
  /** For a product (matmul): cell (row, col) is Σ over these pairs of one cell of each operand times the other. */
  products?(row: number, col: number): [Operand, Operand][];
}

/** One cell of a binding's matrix. */
export interface Operand {
  binding: string;
  row: number;
  col: number;
}

/** An element-wise kernel's grid: invocation i = x + y · groups.x · size handles element i. */
export function elementwiseGrid(size: number, groupsX: number, output: string, inputs: readonly string[]): InvocationGrid {
  return {
    size: [size, 1],
    output,
    owner: (row, col, stride) => {
      const i = row * stride + col;
      return [i % (groupsX * size), Math.floor(i / (groupsX * size))];
    },
    reads: (row, col) => inputs.map((binding) => ({ binding, row, col })),
  };
}

/** One submit of `repeat` copies of a dispatch in one pass, waited for: for timing a kernel. */
export async function runRepeated(ctx: GpuContext, dispatch: Dispatch, repeat = 1): Promise<void> {
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let i = 0; i < repeat; i++) encodeDispatch(pass, dispatch);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  await ctx.device.queue.onSubmittedWorkDone();
}

export function encodeDispatch(pass: GPUComputePassEncoder, dispatch: Dispatch, dynamicOffsets?: number[]): void {
  pass.setPipeline(dispatch.kernel.pipeline);
  if (dynamicOffsets) pass.setBindGroup(0, dispatch.bindGroup, dynamicOffsets);
  else pass.setBindGroup(0, dispatch.bindGroup);
  const [x, y, z] = dispatch.workgroups;
  pass.dispatchWorkgroups(x, y, z);
}

export type Bindable = GPUBuffer | { buffer: GPUBuffer; size: number };

/**
 * A bind group for `kernel`, its buffers named as the WGSL names its variables ({ a: layer_1, ... }):
 * every binding must be given, and nothing else.
 */
export function bindGroup(ctx: GpuContext, label: string, k: Kernel, given: Readonly<Record<string, Bindable>>): GPUBindGroup {
  const names = k.reflection.bindings.map((b) => b.name);
  // An edited kernel's loop guards write to the device's record, which no caller names.
  const buffers = names.includes(LOOP_GUARD) && !(LOOP_GUARD in given) ? { ...given, [LOOP_GUARD]: loopGuardBuffer(ctx) } : given;
  const missing = names.filter((n) => !(n in buffers));
  const extra = Object.keys(buffers).filter((n) => !names.includes(n));
  if (missing.length || extra.length) {
    throw new Error(
      `${label}: shaders/${k.shader.name}.wgsl binds ${names.join(', ')}` +
        (missing.length ? `; missing ${missing.join(', ')}` : '') +
        (extra.length ? `; it has no binding ${extra.join(', ')}` : ''),
    );
  }
  return ctx.device.createBindGroup({
    label,
    layout: k.layout,
    entries: k.reflection.bindings.map((b) => {
      const given = buffers[b.name]!;
      return { binding: b.binding, resource: 'buffer' in given ? { buffer: given.buffer, size: given.size } : { buffer: given } };
    }),
  });
}

/** The labels of the buffers bound, by WGSL name; the kernel's own uniforms are left out. */
export function boundLabels(buffers: Readonly<Record<string, Bindable>>, own: readonly GPUBuffer[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, b] of Object.entries(buffers)) {
    const buffer = 'buffer' in b ? b.buffer : b;
    if (!own.includes(buffer)) out[name] = buffer.label;
  }
  return out;
}

/** A uniform buffer for `binding` of a kernel, its fields named as in the WGSL struct. */
export function uniformFor(ctx: GpuContext, k: Kernel, label: string, binding: string, values: Readonly<Record<string, number>>): GPUBuffer {
  return ctx.uniform(label, uniformBytes(k.reflection, binding, values, `shaders/${k.shader.name}.wgsl`));
}

/**
 * Workgroup counts covering `count` invocations in workgroups of `size`, as a 2D grid when one
 * dimension would pass the device's limit. Shaders rebuild the index as x + y · groups.x · size.
 */
export function grid1d(ctx: GpuContext, count: number, size: number, what: string): [number, number, number] {
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  const groups = Math.max(1, Math.ceil(count / size));
  if (groups <= max) return [groups, 1, 1];
  const y = Math.ceil(groups / max);
  if (y > max) throw new LimitExceededError('maxComputeWorkgroupsPerDimension', y, max, what);
  return [Math.ceil(groups / y), y, 1];
}

/**
 * Workgroups for a 2D output of `rows` × `cols` with workgroups of `x` × `y` invocations. Past the
 * device's limit down, the rows go on in layers along z (shaders read the row as
 * id.y + id.z · groups.y · y), so a full batch of over a million examples still fits.
 */
export function grid2d(
  ctx: GpuContext,
  rows: number,
  cols: number,
  x: number,
  y: number,
  what: string,
): [number, number, number] {
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.max(1, Math.ceil(cols / x));
  const gy = Math.max(1, Math.ceil(rows / y));
  if (gx > max) throw new LimitExceededError('maxComputeWorkgroupsPerDimension', gx, max, what);
  if (gy <= max) return [gx, gy, 1];
  const gz = Math.ceil(gy / max);
  if (gz > max) throw new LimitExceededError('maxComputeWorkgroupsPerDimension', gz, max, what);
  return [gx, Math.ceil(gy / gz), gz];
}

/** The largest power of two ≤ preferred that the device allows as a 1D workgroup. */
export function workgroupSize(ctx: GpuContext, preferred = 64): number {
  const limit = Math.min(ctx.limits.maxComputeInvocationsPerWorkgroup, ctx.limits.maxComputeWorkgroupSizeX);
  let size = 1;
  while (size * 2 <= Math.min(preferred, limit)) size *= 2;
  return size;
}

/** Everything a Dispatch is made of beside the kernel: its buffers by WGSL name, its own uniform, its grid. */
export interface Assembly {
  label: string;
  /** The kernel's own uniform, made here and owned by the dispatch: its WGSL binding and field values. */
  uniform?: { binding: string; values: Readonly<Record<string, number>> };
  /** Every other binding, by WGSL name. */
  buffers: Readonly<Record<string, Bindable>>;
  workgroups: [number, number, number];
  /** Bound only because a binding may not be left empty: not shown as what the kernel reads. */
  placeholders?: readonly GPUBuffer[];
  grid?: InvocationGrid;
  /** The uniform's field that holds the step size (alpha / rows), for changing alpha between epochs. */
  scaleField?: string;
  /** Binding 0 is read at a dynamic offset (the batch table). */
  dynamic?: boolean;
  /** Where a kernel has variants: which one this is. */
  variant?: string;
}

/** The one place a Dispatch is put together: the uniform made, the bind group checked against the WGSL, the labels kept. */
export function assemble(ctx: GpuContext, k: Kernel, a: Assembly): Dispatch {
  const own = a.uniform && uniformFor(ctx, k, `${a.label}.${a.uniform.binding}`, a.uniform.binding, a.uniform.values);
  const buffers: Record<string, Bindable> = own ? { [a.uniform!.binding]: own, ...a.buffers } : { ...a.buffers };
  return {
    label: a.label,
    kernel: k,
    bindGroup: bindGroup(ctx, a.label, k, buffers),
    workgroups: a.workgroups,
    bound: boundLabels(buffers, [...(own ? [own] : []), ...(a.placeholders ?? [])]),
    owned: own ? [own] : [],
    ...(a.uniform ? { uniforms: a.uniform.values } : {}),
    ...(a.grid ? { grid: a.grid } : {}),
    ...(a.dynamic ? { dynamic: true } : {}),
    ...(a.variant !== undefined ? { variant: a.variant } : {}),
    ...(own && a.scaleField !== undefined ? { scale: { buffer: own, offset: uniformOffset(k.reflection, a.uniform!.binding, a.scaleField) } } : {}),
  };
}

export interface SmallKernelArgs {
  label: string;
  shader: Shader;
  /** The fields of the shader's `params` uniform. */
  params: Readonly<Record<string, number>>;
  /** The other bindings, by WGSL name. */
  buffers: Readonly<Record<string, GPUBuffer>>;
  /** Override constants besides WORKGROUP_SIZE. */
  constants?: Record<string, number | boolean>;
  /** The params field that holds the step size (alpha / rows), for changing alpha between epochs. */
  scaleField?: string;
}

function small(args: SmallKernelArgs, workgroups: [number, number, number], grid: InvocationGrid): Assembly {
  return { label: args.label, uniform: { binding: 'params', values: args.params }, buffers: args.buffers, workgroups, grid, ...(args.scaleField !== undefined ? { scaleField: args.scaleField } : {}) };
}

/**
 * The dispatch of an element-wise kernel: `params` is its uniform (made here, owned by the
 * dispatch), `count` invocations in 1D workgroups sized for the device.
 */
export async function elementwise(ctx: GpuContext, args: SmallKernelArgs & { count: number; output: string }): Promise<Dispatch> {
  const size = workgroupSize(ctx);
  const k = await kernel(ctx, args.shader, { constants: { ...args.constants, WORKGROUP_SIZE: size } });
  const groups = grid1d(ctx, args.count, size, args.label);
  const inputs = Object.keys(args.buffers).filter((b) => b !== args.output || k.reflection.bindings.some((x) => x.name === b && x.kind === 'rw'));
  return assemble(ctx, k, small(args, groups, elementwiseGrid(size, groups[0], args.output, inputs)));
}

/**
 * The dispatch of a single-workgroup reduction (output_delta, softmax_delta, accuracy): one
 * workgroup of up to 256 invocations does the whole batch, so its sum has one fixed order and a
 * run is bitwise the same every time (no float atomics).
 */
export async function reduction(ctx: GpuContext, args: SmallKernelArgs & { output: string; sum: string }): Promise<Dispatch> {
  const size = workgroupSize(ctx, 256);
  const k = await kernel(ctx, args.shader, { constants: { ...args.constants, WORKGROUP_SIZE: size } });
  // Invocation t takes elements t, t + size, t + 2·size, ...: the one workgroup strides over the batch.
  const grid: InvocationGrid = {
    size: [size, 1],
    output: args.output,
    owner: (row, col, stride) => [(row * stride + col) % size, 0],
    reads: (row, col) => Object.keys(args.buffers).filter((b) => b !== args.output && b !== args.sum).map((binding) => ({ binding, row, col })),
    treeSum: { into: args.sum },
  };
  return assemble(ctx, k, small(args, [1, 1, 1], grid));
}
