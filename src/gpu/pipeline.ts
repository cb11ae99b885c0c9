// Compute pipelines built once per device and cached, with compile errors that name the shader,
// line and column; bind group layouts from a short list of binding kinds; and the one shape every
// kernel produces: a Dispatch (pipeline + bind group + workgroup counts) recorded many times.

import { GpuError, LimitExceededError, ShaderCompileError } from '../errors.js';
import type { GpuContext } from './context.js';

export interface Shader {
  /** The file name in shaders/, without .wgsl. */
  name: string;
  code: string;
}

/** uniform, uniform read at a dynamic offset, read-only storage, read-write storage. */
export type BindingKind = 'uniform' | 'uniform-dynamic' | 'read' | 'rw';

export interface Kernel {
  readonly shader: Shader;
  /** The shader's entry point (main, or forward/backward/gradient in matmul_fast). */
  readonly entryPoint: string;
  /** The override constants it was built with (workgroup size, transposes). */
  readonly constants: Readonly<Record<string, number | boolean>>;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** A recorded-many-times unit of work: built once, encoded once per batch. */
export interface Dispatch {
  readonly label: string;
  readonly kernel: Kernel;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  /** Buffers this dispatch reads and writes, by the names a learner sees (layer_1, weights_0_1, ...). */
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /** Buffers made for this dispatch alone (its uniforms), destroyed with it. */
  readonly owned: readonly GPUBuffer[];
  /** Set when binding 0 is read at a dynamic offset (the batch table). */
  readonly dynamic?: boolean;
  /** Where the step size (alpha / rows) lives in the dispatch's uniform, for changing alpha between epochs. */
  readonly scale?: { buffer: GPUBuffer; offset: number };
}

export function encodeDispatch(pass: GPUComputePassEncoder, dispatch: Dispatch, dynamicOffsets?: number[]): void {
  pass.setPipeline(dispatch.kernel.pipeline);
  if (dynamicOffsets) pass.setBindGroup(0, dispatch.bindGroup, dynamicOffsets);
  else pass.setBindGroup(0, dispatch.bindGroup);
  const [x, y, z] = dispatch.workgroups;
  pass.dispatchWorkgroups(x, y, z);
}

const kernelCache = new WeakMap<GPUDevice, Map<string, Promise<Kernel>>>();

/**
 * The kernel for `shader` with `constants` filling its override declarations, built once per device.
 * A compile error becomes a ShaderCompileError naming shaders/<name>.wgsl, line and column.
 */
export function kernel(
  ctx: GpuContext,
  shader: Shader,
  bindings: readonly BindingKind[],
  constants: Record<string, number | boolean> = {},
  entryPoint = 'main',
): Promise<Kernel> {
  const { device } = ctx;
  let cache = kernelCache.get(device);
  if (!cache) kernelCache.set(device, (cache = new Map()));
  const key = `${shader.name}|${entryPoint}|${bindings.join(',')}|${JSON.stringify(constants)}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = buildKernel(ctx, shader, bindings, constants, entryPoint);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

async function buildKernel(
  ctx: GpuContext,
  shader: Shader,
  bindings: readonly BindingKind[],
  constants: Record<string, number | boolean>,
  entryPoint: string,
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
    throw new ShaderCompileError(shader.name, firstError.lineNum, firstError.linePos, firstError.message);
  }
  if (moduleError) throw new GpuError('validation', `shaders/${shader.name}.wgsl: ${moduleError.message}`);
  const layout = device.createBindGroupLayout({
    label: `${shader.name}.layout`,
    entries: bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer:
        kind === 'uniform'
          ? { type: 'uniform' }
          : kind === 'uniform-dynamic'
            ? { type: 'uniform', hasDynamicOffset: true }
            : kind === 'read'
              ? { type: 'read-only-storage' }
              : { type: 'storage' },
    })),
  });
  const numeric: Record<string, number> = {};
  for (const [name, value] of Object.entries(constants)) numeric[name] = typeof value === 'boolean' ? Number(value) : value;
  try {
    const pipeline = await device.createComputePipelineAsync({
      label: `${shader.name}.${entryPoint}${Object.keys(numeric).length ? ` ${JSON.stringify(constants)}` : ''}`,
      layout: device.createPipelineLayout({ label: `${shader.name}.pipelineLayout`, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint, constants: numeric },
    });
    return { shader, entryPoint, constants, pipeline, layout };
  } catch (cause) {
    ctx.assertHealthy();
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new GpuError('validation', `shaders/${shader.name}.wgsl: ${message}`);
  }
}

/** A bind group for `kernel` with one buffer per binding, in binding order. */
export function bindGroup(
  ctx: GpuContext,
  label: string,
  k: Kernel,
  buffers: readonly (GPUBuffer | { buffer: GPUBuffer; size: number })[],
): GPUBindGroup {
  return ctx.device.createBindGroup({
    label,
    layout: k.layout,
    entries: buffers.map((b, binding) => ({
      binding,
      resource: 'buffer' in b ? { buffer: b.buffer, size: b.size } : { buffer: b },
    })),
  });
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

/** Workgroups for a 2D output of `rows` × `cols` with workgroups of `x` × `y` invocations. */
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
  if (gy > max) throw new LimitExceededError('maxComputeWorkgroupsPerDimension', gy, max, what);
  return [gx, gy, 1];
}

/** The largest power of two ≤ preferred that the device allows as a 1D workgroup. */
export function workgroupSize(ctx: GpuContext, preferred = 64): number {
  const limit = Math.min(ctx.limits.maxComputeInvocationsPerWorkgroup, ctx.limits.maxComputeWorkgroupSizeX);
  let size = 1;
  while (size * 2 <= Math.min(preferred, limit)) size *= 2;
  return size;
}

/**
 * The dispatch of an element-wise kernel: binding 0 is its uniform params (made here, owned by the
 * dispatch), the rest are `buffers`; `count` invocations in 1D workgroups sized for the device.
 */
export async function elementwise(
  ctx: GpuContext,
  args: {
    label: string;
    shader: Shader;
    bindings: readonly BindingKind[];
    params: ArrayBuffer;
    buffers: readonly GPUBuffer[];
    count: number;
    reads: readonly GPUBuffer[];
    writes: readonly GPUBuffer[];
    /** Byte offset of an f32 step size in params, if the kernel has one. */
    scaleOffset?: number;
  },
): Promise<Dispatch> {
  const size = workgroupSize(ctx);
  const k = await kernel(ctx, args.shader, ['uniform', ...args.bindings], { WORKGROUP_SIZE: size });
  const params = ctx.uniform(`${args.label}.params`, args.params);
  return {
    label: args.label,
    kernel: k,
    bindGroup: bindGroup(ctx, args.label, k, [params, ...args.buffers]),
    workgroups: grid1d(ctx, args.count, size, args.label),
    reads: args.reads.map((b) => b.label),
    writes: args.writes.map((b) => b.label),
    owned: [params],
    ...(args.scaleOffset !== undefined ? { scale: { buffer: params, offset: args.scaleOffset } } : {}),
  };
}

/** Packs u32 and f32 fields into the bytes of a uniform struct, 16-byte padded. */
export function uniformWords(fields: readonly (['u32', number] | ['f32', number])[]): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  fields.forEach(([type, value], i) => {
    if (type === 'u32') view.setUint32(i * 4, value, true);
    else view.setFloat32(i * 4, value, true);
  });
  return bytes;
}
