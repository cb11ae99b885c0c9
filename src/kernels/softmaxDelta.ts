// delta = softmax(logits) − goal and error += cross-entropy, on the GPU (see shaders/softmax_delta.wgsl).

import code from '../../shaders/softmax_delta.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { type Shader, shaderFile } from '../gpu/shader.js';
import { reduction, type Dispatch } from '../gpu/dispatch.js';

export const softmaxDeltaShader: Shader = shaderFile('softmax_delta', code);

/** logits, goal and delta are (rows, width) with n ≤ width output units; error is one float, accumulated. */
export function softmaxDelta(
  ctx: GpuContext,
  label: string,
  buffers: { logits: GPUBuffer; goal: GPUBuffer; delta: GPUBuffer; error: GPUBuffer },
  rows: number,
  n: number,
  width: number,
): Promise<Dispatch> {
  return reduction(ctx, { label, shader: softmaxDeltaShader, params: { rows, n, width }, buffers, output: 'delta', sum: 'error' });
}
