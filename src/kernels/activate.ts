// layer = activation(layer) and delta *= activation2deriv(layer), in place on the GPU
// (see shaders/activate.wgsl and shaders/activate2deriv.wgsl, each compiled after the activation's
// own file, shaders/relu.wgsl, sigmoid.wgsl, tanh.wgsl or linear.wgsl).

import activateCode from '../../shaders/activate.wgsl?raw';
import derivCode from '../../shaders/activate2deriv.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { composeShaders, type Shader, shaderFile } from '../gpu/shader.js';
import { elementwise, type Dispatch } from '../gpu/dispatch.js';
import type { Activation } from '../ops/activations/activation.js';

export const activateShader: Shader = shaderFile('activate', activateCode);
export const activate2derivShader: Shader = shaderFile('activate2deriv', derivCode);

/** layer is (rows, size); count = rows · size elements are activated. */
export function activate(ctx: GpuContext, label: string, activation: Activation, layer: GPUBuffer, count: number): Promise<Dispatch> {
  return elementwise(ctx, {
    label,
    shader: composeShaders(activation.shader, activateShader),
    params: { count },
    buffers: { layer },
    count,
    output: 'layer',
  });
}

/** layer and delta are both (rows, size); count = rows · size. */
export function activate2deriv(
  ctx: GpuContext,
  label: string,
  activation: Activation,
  layer: GPUBuffer,
  delta: GPUBuffer,
  count: number,
): Promise<Dispatch> {
  return elementwise(ctx, {
    label,
    shader: composeShaders(activation.shader, activate2derivShader),
    params: { count },
    buffers: { layer, delta },
    count,
    output: 'delta',
  });
}
