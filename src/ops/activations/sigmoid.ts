// sigmoid and sigmoid2deriv (see shaders/sigmoid.wgsl).

import code from '../../../shaders/sigmoid.wgsl?raw';
import { FLOAT32_EPSILON } from '../../verify/tolerance.js';
import type { Activation } from './activation.js';
import { shaderFile } from '../../gpu/shader.js';

export const sigmoid: Activation = {
  name: 'sigmoid',
  shader: shaderFile('sigmoid', code),
  forward: (x) => 1 / (1 + Math.exp(-x)),
  derivative: (output) => output * (1 - output),
  explain: {
    forward: 'sigmoid squashes every hidden sum into (0, 1): large sums saturate near 1, very negative ones near 0.',
    derivative: 'sigmoid2deriv scales each hidden unit\'s share of the error by output · (1 − output): saturated units pass little back.',
  },
  numpy: {
    forward: 'def sigmoid(x):\n    return 1 / (1 + np.exp(-x))',
    derivative: 'def sigmoid2deriv(output):\n    return output * (1 - output)',
  },
  // WGSL's exp is within (3 + 2|x|) ULP; e^−|x| · |x| ≤ 1/e keeps that absolute error below a few
  // ULP of 1, and the division and sum round twice more. The result lies in (0, 1).
  onnx: 'Sigmoid',
  tolerance: () => 8 * FLOAT32_EPSILON,
};
