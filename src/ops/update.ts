// update: weights -= alpha / rows · weight_delta, in place (the teaching plan's last step per
// matrix). shaders/update.wgsl; CPU: cpu/ops.ts update.

import * as cpu from '../cpu/ops.js';
import { update, updateShader } from '../kernels/update.js';
import type { BufferSpec, Step } from './op.js';

/** weightDelta and weights are (rows, cols); the step is alpha / `batchRows`, the gradient averaged over the batch. */
export function updateStep(weightDelta: BufferSpec, weights: BufferSpec, batchRows: number, alpha: number): Step {
  const count = weights.rows * weights.cols;
  const scaleText = batchRows === 1 ? 'alpha' : `alpha / ${batchRows}`;
  const numpy = `${weights.name} -= ${scaleText} * ${weightDelta.name}`;
  return {
    op: 'update',
    numpy,
    explain: `Gradient descent: move every weight of ${weights.name} against its pressure in ${weightDelta.name}, by ${batchRows === 1 ? 'alpha' : 'alpha divided by the batch size'}.`,
    source: updateShader,
    reads: [weightDelta.name, weights.name],
    writes: [weights.name],
    role: 'update',
    scaleRows: batchRows,
    gpu: ({ ctx, buffer }) => update(ctx, numpy, buffer(weightDelta.name), buffer(weights.name), count, Math.fround(alpha / batchRows)),
    cpu: ({ buffer }, epochAlpha) => cpu.update(buffer(weightDelta.name), buffer(weights.name), epochAlpha / batchRows, count),
  };
}
