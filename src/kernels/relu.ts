// layer = relu(layer) in place on the GPU (see shaders/relu.wgsl).

import code from '../../shaders/relu.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { elementwise, uniformWords, type Dispatch, type Shader } from '../gpu/pipeline.js';

export const reluShader: Shader = { name: 'relu', code };

/** layer is (rows, size); count = rows · size elements are activated. */
export function relu(ctx: GpuContext, label: string, layer: GPUBuffer, count: number): Promise<Dispatch> {
  return elementwise(ctx, {
    label,
    shader: reluShader,
    bindings: ['rw'],
    params: uniformWords([['u32', count]]),
    buffers: [layer],
    count,
    reads: [layer],
    writes: [layer],
  });
}
