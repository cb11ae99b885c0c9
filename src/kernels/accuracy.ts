// correct += rows whose largest output is the goal's class, on the GPU (see shaders/accuracy.wgsl).

import code from '../../shaders/accuracy.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { bindGroup, kernel, uniformWords, workgroupSize, type Dispatch, type Shader } from '../gpu/pipeline.js';

export const accuracyShader: Shader = { name: 'accuracy', code };

/** prediction and goal are (rows, width) with n ≤ width classes; correct is one float, accumulated. */
export async function accuracy(
  ctx: GpuContext,
  label: string,
  buffers: { prediction: GPUBuffer; goal: GPUBuffer; correct: GPUBuffer },
  rows: number,
  n: number,
  width: number,
): Promise<Dispatch> {
  const size = workgroupSize(ctx, 256);
  const k = await kernel(ctx, accuracyShader, ['uniform', 'read', 'read', 'rw'], { WORKGROUP_SIZE: size });
  const params = ctx.uniform(`${label}.params`, uniformWords([['u32', rows], ['u32', n], ['u32', width]]));
  const { prediction, goal, correct } = buffers;
  return {
    label,
    kernel: k,
    bindGroup: bindGroup(ctx, label, k, [params, prediction, goal, correct]),
    workgroups: [1, 1, 1],
    reads: [prediction.label, goal.label],
    writes: [correct.label],
    owned: [params],
  };
}
