// delta = prediction - goal and error += Σ delta², on the GPU (see shaders/output_delta.wgsl).

import code from '../../shaders/output_delta.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { bindGroup, kernel, uniformWords, workgroupSize, type Dispatch, type Shader } from '../gpu/pipeline.js';

export const outputDeltaShader: Shader = { name: 'output_delta', code };

/** prediction, goal and delta are (rows, outputs); count = rows · outputs; error is one float, accumulated. */
export async function outputDelta(
  ctx: GpuContext,
  label: string,
  buffers: { prediction: GPUBuffer; goal: GPUBuffer; delta: GPUBuffer; error: GPUBuffer },
  count: number,
): Promise<Dispatch> {
  // One workgroup does the whole batch, so its sum has one fixed order.
  const size = workgroupSize(ctx, 256);
  const k = await kernel(ctx, outputDeltaShader, ['uniform', 'read', 'read', 'rw', 'rw'], { WORKGROUP_SIZE: size });
  const params = ctx.uniform(`${label}.params`, uniformWords([['u32', count]]));
  const { prediction, goal, delta, error } = buffers;
  return {
    label,
    kernel: k,
    bindGroup: bindGroup(ctx, label, k, [params, prediction, goal, delta, error]),
    workgroups: [1, 1, 1],
    reads: [prediction.label, goal.label],
    writes: [delta.label, error.label],
    owned: [params],
  };
}
