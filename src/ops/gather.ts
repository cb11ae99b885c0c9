// gather: layer_0 and goal for the batch's rows, from the whole dataset on the GPU.
// shaders/gather.wgsl; CPU: the schedule's gather.

import { aboutData, type DataAbout } from '../data/dataset.js';
import { batchTable, gather as gatherDispatch, gatherShader } from '../kernels/gather.js';
import type { BufferSpec, Step } from './op.js';

/**
 * `about`: what the data's inputs and targets are, for the sentence; `shifted`: the training
 * images are moved by this epoch's shifts on the way (the gather reads `shifts`).
 */
export function gatherStep(layer0: BufferSpec, goal: BufferSpec, rows: number, about: DataAbout = aboutData({}), shifted = false): Step {
  const rowsText = rows === 1 ? 'i:i+1' : `i:i+${rows}`;
  const numpy = `${layer0.name}, ${goal.name} = inputs[${rowsText}], targets[${rowsText}]`;
  return {
    op: 'gather',
    numpy,
    explain:
      `Take the next ${rows === 1 ? 'example' : `${rows} examples`}: what we know (${about.inputs}) goes into ${layer0.name}, what we want to know (${about.targets}) into ${goal.name}.` +
      (shifted ? ` On the way each image is moved by its (dx, dy) in shifts, drawn anew every epoch; pixels moved in from outside are 0.` : ''),
    source: gatherShader,
    reads: shifted ? ['inputs', 'targets', 'order', 'shifts'] : ['inputs', 'targets', 'order'],
    writes: [layer0.name, goal.name],
    role: 'input',
    gpu: ({ ctx, buffer, dataset }) =>
      gatherDispatch(
        ctx,
        numpy,
        {
          batches: buffer('batches'),
          order: buffer('order'),
          inputs: buffer('inputs'),
          targets: buffer('targets'),
          layer0: buffer(layer0.name),
          goal: buffer(goal.name),
          shifts: buffer('shifts'),
        },
        rows,
        dataset.inputSize,
        dataset.outputSize,
      ),
    cpu: ({ buffer, schedule, epoch, batch }) => schedule.gather(epoch, batch, buffer(layer0.name), buffer(goal.name)),
  };
}

export { batchTable };
