// weights -= scale · weight_delta in place on the GPU (see shaders/update.wgsl).

import code from '../../shaders/update.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { type Shader, shaderFile } from '../gpu/shader.js';
import { elementwise, type Dispatch } from '../gpu/dispatch.js';

export const updateShader: Shader = shaderFile('update', code);

/** weights and weightDelta are (rows, cols); count = rows · cols; scale = alpha / batch rows, as float32. */
export function update(
  ctx: GpuContext,
  label: string,
  weightDelta: GPUBuffer,
  weights: GPUBuffer,
  count: number,
  scale: number,
): Promise<Dispatch> {
  return elementwise(ctx, {
    label,
    shader: updateShader,
    params: { count, scale },
    buffers: { weight_delta: weightDelta, weights },
    count,
    output: 'weights',
    scaleField: 'scale',
  });
}
