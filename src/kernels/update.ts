// weights -= scale · weight_delta in place on the GPU (see shaders/update.wgsl).

import code from '../../shaders/update.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { elementwise, uniformWords, type Dispatch, type Shader } from '../gpu/pipeline.js';

export const updateShader: Shader = { name: 'update', code };

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
    bindings: ['read', 'rw'],
    params: uniformWords([
      ['u32', count],
      ['f32', scale],
    ]),
    buffers: [weightDelta, weights],
    count,
    reads: [weightDelta, weights],
    writes: [weights],
    scaleOffset: 4,
  });
}
