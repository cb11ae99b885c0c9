// Compute pipelines, built once per device and cached: the bind group layout read from the WGSL's
// declarations, override constants checked against it, and compile errors that name the file,
// line and column. What compiles is the shader with the context's edits (the page's shader lab)
// in place of the files they edit; a context without edits compiles shaders/ as it is.

import { GpuError, ShaderCompileError } from '../errors.js';
import type { GpuContext } from './context.js';
import { applyEdits, shaderFiles, sourceLine, type Shader } from './shader.js';
import { compilerMessage, reflect, type Reflection } from './wgsl.js';

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
  const shader = applyEdits(original, ctx.edits);
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
  if (moduleError) throw refused(shader, `: ${moduleError.message}`);
  const reflection = reflect(shader.code);
  for (const name of dynamic) {
    if (!reflection.bindings.some((b) => b.name === name && b.kind === 'uniform')) {
      throw refused(shader, `: no uniform binding named ${name} to read at a dynamic offset`);
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
    if (!reflection.overrides.includes(name)) throw refused(shader, ` has no override constant ${name}`);
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
    throw refused(shader, `: ${message}`);
  }
}

/** A kernel the GPU would not build, named by its shader and carrying the files it was compiled from. */
function refused(shader: Shader, what: string): GpuError {
  return new GpuError('validation', `shaders/${shader.name}.wgsl${what}`, shaderFiles(shader));
}
