// The tanh activation (src/ops/activations/tanh.ts, shaders/tanh.wgsl): its kernels, its derivative,
// whole runs on every plan, and the seed's two-layer program with tanh against numpy.

import { tanh } from '../../../src/ops/activations/tanh.js';
import { numpy } from '../../fixtures/numpy.js';
import { activationSuite } from '../../helpers/activationSuite.js';

activationSuite(tanh, { fixture: numpy.two_layer_tanh, input: {}, exact: true });
