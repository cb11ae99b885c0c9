// layer_0 and goal for one batch, gathered from the dataset on the GPU (see shaders/gather.wgsl).

import code from '../../shaders/gather.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { bindGroup, grid1d, kernel, workgroupSize, type Dispatch, type Shader } from '../gpu/pipeline.js';

export const gatherShader: Shader = { name: 'gather', code };

/** Bytes between the batch entries of the table the gather reads at a dynamic offset. */
export function batchStride(ctx: GpuContext): number {
  return Math.max(16, ctx.limits.minUniformBufferOffsetAlignment);
}

/** The table of batch entries: {start, rows, input_size, output_size} at batchStride(ctx) apart. */
export function batchTable(
  ctx: GpuContext,
  label: string,
  batches: readonly { start: number; rows: number }[],
  inputSize: number,
  outputSize: number,
): GPUBuffer {
  const stride = batchStride(ctx);
  const words = new Uint32Array((batches.length * stride) / 4);
  batches.forEach((b, i) => words.set([b.start, b.rows, inputSize, outputSize], (i * stride) / 4));
  return ctx.uniform(label, words.buffer);
}

export async function gather(
  ctx: GpuContext,
  label: string,
  buffers: {
    batches: GPUBuffer;
    order: GPUBuffer;
    inputs: GPUBuffer;
    targets: GPUBuffer;
    layer0: GPUBuffer;
    goal: GPUBuffer;
  },
  rows: number,
  inputSize: number,
  outputSize: number,
): Promise<Dispatch> {
  const size = workgroupSize(ctx);
  const k = await kernel(ctx, gatherShader, ['uniform-dynamic', 'read', 'read', 'read', 'rw', 'rw'], {
    WORKGROUP_SIZE: size,
  });
  const { batches, order, inputs, targets, layer0, goal } = buffers;
  return {
    label,
    kernel: k,
    bindGroup: bindGroup(ctx, label, k, [{ buffer: batches, size: 16 }, order, inputs, targets, layer0, goal]),
    workgroups: grid1d(ctx, rows * Math.max(inputSize, outputSize), size, label),
    reads: [inputs.label, targets.label],
    writes: [layer0.label, goal.label],
    owned: [],
    dynamic: true,
  };
}
