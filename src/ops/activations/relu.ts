// relu and relu2deriv, the seed's activation (see shaders/relu.wgsl).

import code from '../../../shaders/relu.wgsl?raw';
import type { Activation } from './activation.js';

export const relu: Activation = {
  name: 'relu',
  shader: { name: 'relu', code },
  forward: (x) => (x > 0 ? x : 0),
  // numpy's output > 0: exactly 0 (a unit that did not fire) has slope 0.
  derivative: (output) => (output > 0 ? 1 : 0),
  numpy: {
    forward: 'def relu(x):\n    return (x > 0) * x',
    derivative: 'def relu2deriv(output):\n    return output > 0',
  },
  tolerance: () => 0,
};
