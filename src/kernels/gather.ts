// layer_0 and goal for one batch, gathered from the dataset on the GPU (see shaders/gather.wgsl).

import code from '../../shaders/gather.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { type Shader, shaderFile } from '../gpu/shader.js';
import { kernel } from '../gpu/kernel.js';
import { assemble, grid2d, workgroupSize, type Dispatch } from '../gpu/dispatch.js';

export const gatherShader: Shader = shaderFile('gather', code);

/** Bytes of one batch entry as the shader reads it (7 u32, padded to 16-byte alignment). */
export const BATCH_ENTRY_BYTES = 32;

/** Bytes between the batch entries of the table the gather reads at a dynamic offset. */
export function batchStride(ctx: GpuContext): number {
  return Math.max(BATCH_ENTRY_BYTES, ctx.limits.minUniformBufferOffsetAlignment);
}

/**
 * The table of batch entries: {start, rows, input_size, output_size, layer_width, goal_width,
 * image_width} at batchStride(ctx) apart. The widths default to the sizes (no padding), the image
 * width to 0 (no shifting).
 */
export function batchTable(
  ctx: GpuContext,
  label: string,
  batches: readonly { start: number; rows: number }[],
  inputSize: number,
  outputSize: number,
  layerWidth = inputSize,
  goalWidth = outputSize,
  imageWidth = 0,
): GPUBuffer {
  const stride = batchStride(ctx);
  const words = new Uint32Array((batches.length * stride) / 4);
  batches.forEach((b, i) => words.set([b.start, b.rows, inputSize, outputSize, layerWidth, goalWidth, imageWidth], (i * stride) / 4));
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
    /** (dx, dy) per example as i32 pairs; any 8-byte buffer when images are not shifted. */
    shifts: GPUBuffer;
  },
  rows: number,
  inputSize: number,
  outputSize: number,
): Promise<Dispatch> {
  // One workgroup per row, of 16 invocations, fewer for a short row (a power of two, as the device allows).
  const widest = Math.max(inputSize, outputSize);
  const size = workgroupSize(ctx, Math.min(16, 2 ** Math.ceil(Math.log2(Math.max(1, widest)))));
  const k = await kernel(ctx, gatherShader, { constants: { WORKGROUP_SIZE: size }, dynamic: ['batch'] });
  const bound = {
    batch: { buffer: buffers.batches, size: BATCH_ENTRY_BYTES },
    order: buffers.order,
    inputs: buffers.inputs,
    targets: buffers.targets,
    layer_0: buffers.layer0,
    goal: buffers.goal,
    shifts: buffers.shifts,
  };
  return assemble(ctx, k, {
    label,
    buffers: bound,
    workgroups: grid2d(ctx, rows, 1, 1, 1, label),
    dynamic: true,
    // Workgroup r copies row r of the batch; its invocation x, columns x, x + size, x + 2 · size, ...
    grid: { size: [size, 1], output: 'layer_0', owner: (row: number, col: number): [number, number] => [col % size, row] },
  });
}
