// Compute pipelines built once per device and cached, with compile errors that name the shader,
// line and column; bind group layouts from a short list of binding kinds; and the one shape every
// kernel produces: a Dispatch (pipeline + bind group + workgroup counts) recorded many times.

import { GpuError, LimitExceededError, ShaderCompileError } from '../errors.js';
import type { GpuContext } from './context.js';
import { compilerMessage, reflect, uniformBytes, uniformOffset, type Reflection } from './wgsl.js';

export interface Shader {
  /** The file name in shaders/, without .wgsl; for a composed shader, its parts joined by '+'. */
  name: string;
  code: string;
  /**
   * For a shader compiled from several files (an activation's functions, then the kernel that
   * calls them): each file's name and its number of lines, in order, so a compile error's line
   * is reported in the file it is in.
   */
  parts?: readonly { name: string; lines: number }[];
  /** For a composed shader: the files it was made of, so an edited one can take its place. */
  sources?: readonly Shader[];
}

/** One shader made of several files, concatenated in order (e.g. shaders/tanh.wgsl + shaders/activate.wgsl). */
export function composeShaders(...shaders: Shader[]): Shader {
  const sources = shaders.flatMap((s) => s.sources ?? [s]);
  const parts = sources.map((s) => ({ name: s.name, lines: s.code.split('\n').length }));
  return { name: sources.map((s) => s.name).join('+'), code: sources.map((s) => s.code).join('\n'), parts, sources };
}

/**
 * Edited shader files, by name (the page's shader lab): compiled in place of the files in
 * shaders/ by every kernel built after they are set. The text is only ever compiled as WGSL.
 */
const overrides = new Map<string, string>();

export function setShaderOverride(name: string, code: string | undefined): void {
  if (code === undefined) overrides.delete(name);
  else overrides.set(name, code);
}

export function shaderOverrides(): ReadonlyMap<string, string> {
  return overrides;
}

/** Runs `work` with the files as they are in shaders/ (for the page's comparison charts), then puts the edits back. */
export async function withoutShaderOverrides<T>(work: () => Promise<T>): Promise<T> {
  const saved = new Map(overrides);
  overrides.clear();
  try {
    return await work();
  } finally {
    for (const [name, code] of saved) overrides.set(name, code);
  }
}

/** The shader as it is compiled now: each of its files replaced by its edited version where there is one. */
export function effectiveShader(shader: Shader): Shader {
  if (shader.sources) return composeShaders(...shader.sources.map((s) => effectiveShader(s)));
  const edited = overrides.get(shader.name);
  return edited === undefined ? shader : { name: shader.name, code: edited };
}

/** The file and line of line `line` (1-based) of a shader, composed or not. */
export function sourceLine(shader: Shader, line: number): { file: string; line: number } {
  let at = line;
  for (const part of shader.parts ?? []) {
    if (at <= part.lines) return { file: part.name, line: at };
    at -= part.lines;
  }
  return { file: shader.name, line };
}

export interface Kernel {
  readonly shader: Shader;
  /** The shader's entry point (main, or forward/backward/gradient in matmul_fast). */
  readonly entryPoint: string;
  /** The override constants it was built with (workgroup size, transposes). */
  readonly constants: Readonly<Record<string, number | boolean>>;
  /** Its bindings as the WGSL declares them. */
  readonly reflection: Reflection;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

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

const kernelCache = new WeakMap<GPUDevice, Map<string, Promise<Kernel>>>();

export interface KernelOptions {
  /** Override constants filling the shader's `override` declarations. */
  constants?: Record<string, number | boolean>;
  entryPoint?: string;
  /** Uniform bindings read at a dynamic offset (the gather's batch table). */
  dynamic?: readonly string[];
}

/**
 * The kernel for `shader`, its bind group layout read from the WGSL's declarations, built once per
 * device. A compile error becomes a ShaderCompileError naming shaders/<name>.wgsl, line and column.
 */
export function kernel(ctx: GpuContext, original: Shader, options: KernelOptions = {}): Promise<Kernel> {
  const shader = effectiveShader(original);
  const { device } = ctx;
  let cache = kernelCache.get(device);
  if (!cache) kernelCache.set(device, (cache = new Map()));
  const constants = options.constants ?? {};
  const entryPoint = options.entryPoint ?? 'main';
  const key = `${shader.name}|${entryPoint}|${(options.dynamic ?? []).join(',')}|${JSON.stringify(constants)}|${shader.code}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = buildKernel(ctx, shader, constants, entryPoint, options.dynamic ?? []);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

async function buildKernel(
  ctx: GpuContext,
  shader: Shader,
  constants: Record<string, number | boolean>,
  entryPoint: string,
  dynamic: readonly string[],
): Promise<Kernel> {
  const { device } = ctx;
  // A compile error is reported below from the compilation info, with its line and column; the
  // scope keeps it from also escaping as an uncaptured error.
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: `shaders/${shader.name}.wgsl`, code: shader.code });
  const moduleError = await device.popErrorScope();
  const info = await module.getCompilationInfo();
  const firstError = info.messages.find((m) => m.type === 'error');
  if (firstError) {
    const at = sourceLine(shader, firstError.lineNum);
    throw new ShaderCompileError(at.file, at.line, firstError.linePos, compilerMessage(firstError.message));
  }
  if (moduleError) throw new GpuError('validation', `shaders/${shader.name}.wgsl: ${moduleError.message}`);
  const reflection = reflect(shader.code);
  for (const name of dynamic) {
    if (!reflection.bindings.some((b) => b.name === name && b.kind === 'uniform')) {
      throw new GpuError('validation', `shaders/${shader.name}.wgsl: no uniform binding named ${name} to read at a dynamic offset`);
    }
  }
  const layout = device.createBindGroupLayout({
    label: `${shader.name}.layout`,
    entries: reflection.bindings.map((b) => ({
      binding: b.binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer:
        b.kind === 'uniform'
          ? { type: 'uniform', hasDynamicOffset: dynamic.includes(b.name) }
          : b.kind === 'read'
            ? { type: 'read-only-storage' }
            : { type: 'storage' },
    })),
  });
  const numeric: Record<string, number> = {};
  for (const [name, value] of Object.entries(constants)) {
    if (!reflection.overrides.includes(name)) throw new GpuError('validation', `shaders/${shader.name}.wgsl has no override constant ${name}`);
    numeric[name] = typeof value === 'boolean' ? Number(value) : value;
  }
  try {
    const pipeline = await device.createComputePipelineAsync({
      label: `${shader.name}.${entryPoint}${Object.keys(numeric).length ? ` ${JSON.stringify(constants)}` : ''}`,
      layout: device.createPipelineLayout({ label: `${shader.name}.pipelineLayout`, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint, constants: numeric },
    });
    return { shader, entryPoint, constants, reflection, pipeline, layout };
  } catch (cause) {
    ctx.assertHealthy();
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new GpuError('validation', `shaders/${shader.name}.wgsl: ${message}`);
  }
}

export type Bindable = GPUBuffer | { buffer: GPUBuffer; size: number };

/**
 * A bind group for `kernel`, its buffers named as the WGSL names its variables ({ a: layer_1, ... }):
 * every binding must be given, and nothing else.
 */
export function bindGroup(ctx: GpuContext, label: string, k: Kernel, buffers: Readonly<Record<string, Bindable>>): GPUBindGroup {
  const names = k.reflection.bindings.map((b) => b.name);
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

/**
 * The dispatch of an element-wise kernel: `params` is its uniform (made here, owned by the
 * dispatch), `count` invocations in 1D workgroups sized for the device.
 */
export async function elementwise(ctx: GpuContext, args: SmallKernelArgs & { count: number; output: string }): Promise<Dispatch> {
  const size = workgroupSize(ctx);
  const k = await kernel(ctx, args.shader, { constants: { ...args.constants, WORKGROUP_SIZE: size } });
  const groups = grid1d(ctx, args.count, size, args.label);
  const inputs = Object.keys(args.buffers).filter((b) => b !== args.output || k.reflection.bindings.some((x) => x.name === b && x.kind === 'rw'));
  return finishDispatch(ctx, k, args, groups, elementwiseGrid(size, groups[0], args.output, inputs));
}

/**
 * The dispatch of a single-workgroup reduction (output_delta, softmax_delta, accuracy): one
 * workgroup of up to 256 invocations does the whole batch, so its sum has one fixed order and a
 * run is bitwise the same every time (no float atomics).
 */
export async function reduction(ctx: GpuContext, args: SmallKernelArgs & { output: string }): Promise<Dispatch> {
  const size = workgroupSize(ctx, 256);
  const k = await kernel(ctx, args.shader, { constants: { ...args.constants, WORKGROUP_SIZE: size } });
  // Invocation t takes elements t, t + size, t + 2·size, ...: the one workgroup strides over the batch.
  const grid: InvocationGrid = {
    size: [size, 1],
    output: args.output,
    owner: (row, col, stride) => [(row * stride + col) % size, 0],
    reads: (row, col) => Object.keys(args.buffers).filter((b) => b !== args.output).map((binding) => ({ binding, row, col })),
  };
  return finishDispatch(ctx, k, args, [1, 1, 1], grid);
}

function finishDispatch(ctx: GpuContext, k: Kernel, args: SmallKernelArgs, workgroups: [number, number, number], grid?: InvocationGrid): Dispatch {
  const params = uniformFor(ctx, k, `${args.label}.params`, 'params', args.params);
  const buffers = { params, ...args.buffers };
  return {
    label: args.label,
    kernel: k,
    bindGroup: bindGroup(ctx, args.label, k, buffers),
    workgroups,
    bound: boundLabels(buffers, [params]),
    owned: [params],
    uniforms: args.params,
    ...(grid ? { grid } : {}),
    ...(args.scaleField !== undefined ? { scale: { buffer: params, offset: uniformOffset(k.reflection, 'params', args.scaleField) } } : {}),
  };
}
