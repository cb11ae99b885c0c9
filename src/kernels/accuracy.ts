// correct += rows whose largest output is the goal's class, on the GPU (see shaders/accuracy.wgsl).

import code from '../../shaders/accuracy.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { type Shader, shaderFile } from '../gpu/shader.js';
import { reduction, type Dispatch } from '../gpu/dispatch.js';

export const accuracyShader: Shader = shaderFile('accuracy', code);

/** prediction and goal are (rows, width) with n ≤ width classes; correct is one float, accumulated. */
export function accuracy(
  ctx: GpuContext,
  label: string,
  buffers: { prediction: GPUBuffer; goal: GPUBuffer; correct: GPUBuffer },
  rows: number,
  n: number,
  width: number,
): Promise<Dispatch> {
  return reduction(ctx, { label, shader: accuracyShader, params: { rows, n, width }, buffers, output: 'correct', sum: 'correct' });
}
