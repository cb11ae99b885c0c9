// activate2deriv: delta *= activation2deriv(layer) in place, the slope of a hidden layer's
// activation applied to its delta in the teaching plan (the seed's relu2deriv).
// shaders/<activation>.wgsl then shaders/activate2deriv.wgsl; CPU: the activation's float64 derivative.

import { activate2deriv, activate2derivShader } from '../kernels/activate.js';
import { composeShaders } from '../gpu/shader.js';
import type { Activation } from './activations/activation.js';
import type { BufferSpec, Step } from './op.js';

/** layer and delta are both (rows, size). */
export function activate2derivStep(activation: Activation, layer: BufferSpec, delta: BufferSpec, rows: number): Step {
  const count = rows * layer.cols;
  const numpy = `${delta.name} *= ${activation.name}2deriv(${layer.name})`;
  return {
    op: 'activate2deriv',
    numpy,
    explain: activation.explain.derivative,
    source: composeShaders(activation.shader, activate2derivShader),
    reads: [layer.name, delta.name],
    writes: [delta.name],
    role: 'backward',
    gpu: ({ ctx, buffer }) => activate2deriv(ctx, numpy, activation, buffer(layer.name), buffer(delta.name), count),
    cpu: ({ buffer }) => {
      const output = buffer(layer.name);
      const d = buffer(delta.name);
      for (let i = 0; i < count; i++) d[i] = d[i]! * activation.derivative(output[i]!);
    },
  };
}
