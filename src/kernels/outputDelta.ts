// delta = prediction - goal and error += Σ delta², on the GPU (see shaders/output_delta.wgsl).

import code from '../../shaders/output_delta.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { type Shader, shaderFile } from '../gpu/shader.js';
import { reduction, type Dispatch } from '../gpu/dispatch.js';

export const outputDeltaShader: Shader = shaderFile('output_delta', code);

/** prediction, goal and delta are (rows, outputs); count = rows · outputs; error is one float, accumulated. */
export function outputDelta(
  ctx: GpuContext,
  label: string,
  buffers: { prediction: GPUBuffer; goal: GPUBuffer; delta: GPUBuffer; error: GPUBuffer },
  count: number,
): Promise<Dispatch> {
  return reduction(ctx, { label, shader: outputDeltaShader, params: { count }, buffers, output: 'delta', sum: 'error' });
}
