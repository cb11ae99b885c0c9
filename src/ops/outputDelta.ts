// outputDelta: the output layer's delta and the batch's squared error, summed in one workgroup.
// shaders/output_delta.wgsl; CPU: cpu/ops.ts outputDelta.

import * as cpu from '../cpu/ops.js';
import { outputDelta, outputDeltaShader } from '../kernels/outputDelta.js';
import type { BufferSpec, Step } from './op.js';

/** prediction, goal and delta are (rows, outputs); error is one float, accumulated over the iteration. */
export function outputDeltaStep(prediction: BufferSpec, goal: BufferSpec, delta: BufferSpec, error: BufferSpec, rows: number): Step {
  const count = rows * prediction.cols;
  // The GPU's rows may be padded: padding holds zeros on both sides, adding 0 to the error.
  const gpuCount = rows * prediction.stride;
  const numpy = `${delta.name} = ${prediction.name} - ${goal.name}; ${error.name} += np.sum(${delta.name} ** 2)`;
  return {
    op: 'outputDelta',
    numpy,
    explain: `Compare the prediction with the goal: ${delta.name} = prediction − goal says by how much and in which direction it missed, and its square adds to the error.`,
    source: outputDeltaShader,
    reads: [prediction.name, goal.name],
    writes: [delta.name, error.name],
    role: 'loss',
    gpu: ({ ctx, buffer }) =>
      outputDelta(ctx, numpy, { prediction: buffer(prediction.name), goal: buffer(goal.name), delta: buffer(delta.name), error: buffer(error.name) }, gpuCount),
    cpu: ({ buffer }) => {
      const e = buffer(error.name);
      e[0] = e[0]! + cpu.outputDelta(buffer(prediction.name), buffer(goal.name), buffer(delta.name), count);
    },
  };
}
