// tanh and tanh2deriv (see shaders/tanh.wgsl).

import code from '../../../shaders/tanh.wgsl?raw';
import { FLOAT32_EPSILON } from '../../verify/tolerance.js';
import type { Activation } from './activation.js';
import { shaderFile } from '../../gpu/shader.js';

export const tanh: Activation = {
  name: 'tanh',
  shader: shaderFile('tanh', code),
  forward: (x) => Math.tanh(x),
  derivative: (output) => 1 - output * output,
  explain: {
    forward: 'tanh squashes every hidden sum into (−1, 1), keeping its sign.',
    derivative: 'tanh2deriv scales each hidden unit\'s share of the error by 1 − output²: saturated units pass little back.',
  },
  numpy: {
    forward: 'def tanh(x):\n    return np.tanh(x)',
    derivative: 'def tanh2deriv(output):\n    return 1 - (output ** 2)',
  },
  // As sigmoid's: exp's (3 + 4|x|) ULP times e^−2|x| stays below a few ULP of 1; three more roundings.
  onnx: 'Tanh',
  tolerance: () => 8 * FLOAT32_EPSILON,
};
