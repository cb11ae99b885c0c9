// relu and relu2deriv, the seed's activation (see shaders/relu.wgsl).

import code from '../../../shaders/relu.wgsl?raw';
import type { Activation } from './activation.js';
import { shaderFile } from '../../gpu/shader.js';

export const relu: Activation = {
  name: 'relu',
  shader: shaderFile('relu', code),
  forward: (x) => (x > 0 ? x : 0),
  // numpy's output > 0: exactly 0 (a unit that did not fire) has slope 0.
  derivative: (output) => (output > 0 ? 1 : 0),
  explain: {
    forward: 'relu turns off every hidden unit whose sum is below 0, so each unit can choose to correlate with some examples and stay silent for others.',
    derivative: 'Only hidden units that fired pass their share of the error back: relu2deriv is 1 where the unit was on and 0 where it was off.',
  },
  numpy: {
    forward: 'def relu(x):\n    return (x > 0) * x',
    derivative: 'def relu2deriv(output):\n    return output > 0',
  },
  onnx: 'Relu',
  tolerance: () => 0,
};
