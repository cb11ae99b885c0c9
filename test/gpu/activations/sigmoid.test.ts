// The sigmoid activation (src/ops/activations/sigmoid.ts, shaders/sigmoid.wgsl): its kernels, its
// derivative, whole runs on every plan, and the seed's two-layer program with sigmoid against numpy.

import { sigmoid } from '../../../src/ops/activations/sigmoid.js';
import { numpy } from '../../fixtures/numpy.js';
import { activationSuite } from '../../helpers/activationSuite.js';

activationSuite(sigmoid, { fixture: numpy.two_layer_sigmoid, input: { alpha: 0.5, iterations: 300 }, exact: false });
