// The relu activation (src/ops/activations/relu.ts, shaders/relu.wgsl): its kernels, its derivative,
// whole runs on every plan, and the seed's own two-layer program against numpy.

import { relu } from '../../../src/ops/activations/relu.js';
import { numpy } from '../../fixtures/numpy.js';
import { activationSuite } from '../../helpers/activationSuite.js';

activationSuite(relu, { fixture: numpy.two_layer, input: {}, exact: true });
