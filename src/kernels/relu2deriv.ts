// delta *= relu2deriv(layer) in place on the GPU (see shaders/relu2deriv.wgsl).

import code from '../../shaders/relu2deriv.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { elementwise, uniformWords, type Dispatch, type Shader } from '../gpu/pipeline.js';

export const relu2derivShader: Shader = { name: 'relu2deriv', code };

/** layer and delta are both (rows, size); count = rows · size. */
export function relu2deriv(
  ctx: GpuContext,
  label: string,
  layer: GPUBuffer,
  delta: GPUBuffer,
  count: number,
): Promise<Dispatch> {
  return elementwise(ctx, {
    label,
    shader: relu2derivShader,
    bindings: ['read', 'rw'],
    params: uniformWords([['u32', count]]),
    buffers: [layer, delta],
    count,
    reads: [layer, delta],
    writes: [delta],
  });
}
