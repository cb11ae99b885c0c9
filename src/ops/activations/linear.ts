// linear and linear2deriv: no activation at all (see shaders/linear.wgsl). The lesson's reason for
// relu: two linear layers are one, since np.dot(np.dot(layer_0, W01), W12) = np.dot(layer_0, W01·W12).

import code from '../../../shaders/linear.wgsl?raw';
import type { Activation } from './activation.js';
import { shaderFile } from '../../gpu/shader.js';

export const linear: Activation = {
  name: 'linear',
  shader: shaderFile('linear', code),
  forward: (x) => x,
  derivative: () => 1,
  explain: {
    forward: 'linear leaves every hidden sum as it is: the hidden layer is a weighted sum of the inputs, and the output a weighted sum of those, so the two layers together are one layer with weights W01·W12. A hidden unit can never stay silent for some examples and correlate with others.',
    derivative: 'Every hidden unit passes its whole share of the error back: linear2deriv is 1 everywhere.',
  },
  numpy: {
    forward: 'def linear(x):\n    return x',
    derivative: 'def linear2deriv(output):\n    return 1',
  },
  onnx: 'Identity',
  tolerance: () => 0,
};
