// activate: layer = activation(layer) in place, a hidden layer's activation in the teaching plan.
// shaders/<activation>.wgsl then shaders/activate.wgsl; CPU: the activation's float64 forward.

import { activate, activateShader } from '../kernels/activate.js';
import { composeShaders } from '../gpu/shader.js';
import type { Activation } from './activations/activation.js';
import type { BufferSpec, Step } from './op.js';

/** layer is (rows, size); its first rows · size values are the batch's. */
export function activateStep(activation: Activation, layer: BufferSpec, rows: number): Step {
  const count = rows * layer.cols;
  const numpy = `${layer.name} = ${activation.name}(${layer.name})`;
  return {
    op: 'activate',
    numpy,
    explain: activation.explain.forward,
    source: composeShaders(activation.shader, activateShader),
    reads: [layer.name],
    writes: [layer.name],
    role: 'forward',
    gpu: ({ ctx, buffer }) => activate(ctx, numpy, activation, buffer(layer.name), count),
    cpu: ({ buffer }) => {
      const values = buffer(layer.name);
      for (let i = 0; i < count; i++) values[i] = activation.forward(values[i]!);
    },
  };
}
