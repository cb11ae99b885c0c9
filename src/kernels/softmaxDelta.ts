// delta = softmax(logits) − goal and error += cross-entropy, on the GPU (see shaders/softmax_delta.wgsl).

import code from '../../shaders/softmax_delta.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { bindGroup, kernel, uniformWords, workgroupSize, type Dispatch, type Shader } from '../gpu/pipeline.js';

export const softmaxDeltaShader: Shader = { name: 'softmax_delta', code };

/** logits, goal and delta are (rows, width) with n ≤ width output units; error is one float, accumulated. */
export async function softmaxDelta(
  ctx: GpuContext,
  label: string,
  buffers: { logits: GPUBuffer; goal: GPUBuffer; delta: GPUBuffer; error: GPUBuffer },
  rows: number,
  n: number,
  width: number,
): Promise<Dispatch> {
  const size = workgroupSize(ctx, 256);
  const k = await kernel(ctx, softmaxDeltaShader, ['uniform', 'read', 'read', 'rw', 'rw'], { WORKGROUP_SIZE: size });
  const params = ctx.uniform(`${label}.params`, uniformWords([['u32', rows], ['u32', n], ['u32', width]]));
  const { logits, goal, delta, error } = buffers;
  return {
    label,
    kernel: k,
    bindGroup: bindGroup(ctx, label, k, [params, logits, goal, delta, error]),
    workgroups: [1, 1, 1],
    reads: [logits.label, goal.label],
    writes: [delta.label, error.label],
    owned: [params],
  };
}
