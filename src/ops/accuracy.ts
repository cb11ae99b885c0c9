// accuracy: correct += the rows whose largest output is the goal's class, in one workgroup.
// shaders/accuracy.wgsl; CPU: cpu/ops.ts accuracy.

import * as cpu from '../cpu/ops.js';
import { accuracy, accuracyShader } from '../kernels/accuracy.js';
import type { BufferSpec, Step } from './op.js';

export function accuracyStep(prediction: BufferSpec, goal: BufferSpec, correct: BufferSpec, rows: number): Step {
  const n = prediction.cols;
  const numpy = `${correct.name} += np.sum(${prediction.name}.argmax(1) == ${goal.name}.argmax(1))`;
  return {
    op: 'accuracy',
    numpy,
    explain: 'Count the examples whose largest output is the right class.',
    source: accuracyShader,
    reads: [prediction.name, goal.name],
    writes: [correct.name],
    role: 'metric',
    gpu: ({ ctx, buffer }) =>
      accuracy(ctx, numpy, { prediction: buffer(prediction.name), goal: buffer(goal.name), correct: buffer(correct.name) }, rows, n, prediction.stride),
    cpu: ({ buffer }) => {
      const c = buffer(correct.name);
      c[0] = c[0]! + cpu.accuracy(buffer(prediction.name), buffer(goal.name), rows, n);
    },
  };
}
