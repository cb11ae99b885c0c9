// softmaxDelta: softmax output with cross-entropy: delta = softmax(logits) − goal, error += the
// cross-entropy, in one workgroup. shaders/softmax_delta.wgsl; CPU: cpu/ops.ts softmaxDelta.

import * as cpu from '../cpu/ops.js';
import { softmaxDelta, softmaxDeltaShader } from '../kernels/softmaxDelta.js';
import type { BufferSpec, Step } from './op.js';

export function softmaxDeltaStep(logits: BufferSpec, goal: BufferSpec, delta: BufferSpec, error: BufferSpec, rows: number): Step {
  const n = logits.cols;
  const numpy = `${delta.name} = softmax(${logits.name}) - ${goal.name}; ${error.name} += cross_entropy(${logits.name}, ${goal.name})`;
  return {
    op: 'softmaxDelta',
    numpy,
    explain: `Turn the outputs into probabilities (softmax): ${delta.name} = probability − goal, and the cross-entropy adds to the error.`,
    source: softmaxDeltaShader,
    reads: [logits.name, goal.name],
    writes: [delta.name, error.name],
    role: 'loss',
    gpu: ({ ctx, buffer }) =>
      softmaxDelta(ctx, numpy, { logits: buffer(logits.name), goal: buffer(goal.name), delta: buffer(delta.name), error: buffer(error.name) }, rows, n, logits.stride),
    cpu: ({ buffer }) => {
      const e = buffer(error.name);
      e[0] = e[0]! + cpu.softmaxDelta(buffer(logits.name), buffer(goal.name), buffer(delta.name), rows, n);
    },
  };
}
