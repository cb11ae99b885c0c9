// A training step as a plan: the ordered list of steps for one batch (each a record of the op
// table, src/ops/) and the buffers they name, with their shapes. Built from the network alone, so
// the GPU trainer, the CPU executor, the page and the tests all read the same list.
//   teaching: one dispatch per line of the seed's numpy, on buffers laid out as numpy has them.
//   fast:     3L + 1 fused dispatches for L weight matrices, on rows padded to whole vec4s.

import type { Loss } from '../cpu/network.js';
import { aboutData, type DataAbout, type Dataset } from '../data/dataset.js';
import { activationOf } from '../ops/activations/index.js';
import type { TrainConfig } from './config.js';
import { OptionError } from '../errors.js';
import { deltaName, layerName, pad4, weightDeltaName, weightsName, type Layers } from '../net/spec.js';
import { accuracyStep } from '../ops/accuracy.js';
import { activateStep } from '../ops/activate.js';
import { activate2derivStep } from '../ops/activate2deriv.js';
import type { Activation } from '../ops/activations/activation.js';
import { relu } from '../ops/activations/relu.js';
import { gatherStep } from '../ops/gather.js';
import { matmulStep } from '../ops/matmul.js';
import { matmulFastStep } from '../ops/matmulFast.js';
import type { BufferRole, BufferSpec, Padding, Step } from '../ops/op.js';
import { outputDeltaStep } from '../ops/outputDelta.js';
import { softmaxDeltaStep } from '../ops/softmaxDelta.js';
import { updateStep } from '../ops/update.js';

export type PlanKind = 'teaching' | 'fast';

export interface PlanOptions {
  /** The hidden layers' activation (default relu, the seed's). */
  activation?: Activation;
  /** Biases, added by each forward matmul and updated by each gradient matmul (fast plan). */
  bias?: boolean;
  loss?: Loss;
  /** Count the rows whose largest output is the goal's class (classification data). */
  accuracy?: boolean;
  /** Training images shifted every epoch: the gather reads `shifts` (never when evaluating). */
  shift?: boolean;
  /** What the data's inputs and targets are, for the gather's sentence. */
  about?: DataAbout;
}

export interface Plan {
  readonly kind: PlanKind;
  /** The batch's rows this plan is made for (a smaller last batch has a plan of its own). */
  readonly rows: number;
  readonly steps: readonly Step[];
  /** Every buffer the steps name, except the dataset's own (inputs, targets, order, batches, shifts). */
  readonly buffers: readonly BufferSpec[];
}

/** The buffers of a plan: (rows, size) layers and deltas, padded or not, and the parameters. */
class Buffers {
  readonly list: BufferSpec[] = [];
  constructor(private readonly pad: Padding) {}

  add(name: string, rows: number, cols: number, role: BufferRole, padRows = false): BufferSpec {
    const spec: BufferSpec = { name, rows, cols, stride: this.pad(cols), height: padRows ? this.pad(rows) : rows, role };
    this.list.push(spec);
    return spec;
  }
}

/** The plan of a kind for a batch of `rows`. The teaching plan follows the seed: no biases, squared error. */
export function planOf(kind: PlanKind, layers: Layers, rows: number, alpha: number, options: PlanOptions = {}): Plan {
  if (kind === 'fast') return fastPlan(layers, rows, alpha, options);
  if (options.bias || options.loss === 'softmax') {
    throw new OptionError('the teaching plan follows the seed: no biases and a squared error', 'use --plan fast (or auto) for biases and softmax');
  }
  return teachingPlan(layers, rows, alpha, options);
}

/** The plan kind the CPU runs a config with: the teaching plan where it can, else the fast plan's arithmetic. */
export function cpuPlanKind(options: PlanOptions): PlanKind {
  return options.bias || options.loss === 'softmax' ? 'fast' : 'teaching';
}

/**
 * One dispatch per line of the seed's numpy: gather, then per layer matmul (+ activation), the
 * output delta and error, per hidden layer the backprop matmul and the activation's derivative,
 * then per weight matrix the gradient matmul and the update. Every delta is computed before any
 * weight changes, as in the seed.
 */
export function teachingPlan(layers: Layers, rows: number, alpha: number, options: PlanOptions = {}): Plan {
  const activation = options.activation ?? relu;
  const last = layers.length - 1;
  const b = new Buffers((n) => n);
  const goal = b.add('goal', rows, layers[last]!, 'data');
  const layer = layers.map((size, l) => b.add(layerName(l), rows, size, l === 0 ? 'data' : 'layer'));
  const delta = layers.map((size, l) => (l === 0 ? undefined : b.add(deltaName(l), rows, size, 'delta')));
  const weights = layers.slice(1).map((size, l) => b.add(weightsName(l), layers[l]!, size, 'parameter'));
  const weightDelta = layers.slice(1).map((size, l) => b.add(weightDeltaName(l), layers[l]!, size, 'gradient'));
  const error = b.add('error', 1, 1, 'scalar');
  const correct = b.add('correct', 1, 1, 'scalar');
  const size = (l: number): number => layers[l]!;
  const steps: Step[] = [gatherStep(layer[0]!, goal, rows, options.about, options.shift)];
  for (let l = 0; l < last; l++) {
    steps.push(
      matmulStep({
        numpy: `${layerName(l + 1)} = np.dot(${layerName(l)}, ${weightsName(l)})`,
        explain: `Each unit of ${layerName(l + 1)} is a weighted sum: every value of ${layerName(l)} times its weight in ${weightsName(l)}, added up${l + 1 === last ? ': the prediction' : ''}.`,
        role: 'forward',
        a: layer[l]!,
        b: weights[l]!,
        c: layer[l + 1]!,
        M: rows,
        K: size(l),
        N: size(l + 1),
      }),
    );
    if (l + 1 < last) steps.push(activateStep(activation, layer[l + 1]!, rows));
  }
  steps.push(outputDeltaStep(layer[last]!, goal, delta[last]!, error, rows));
  if (options.accuracy) steps.push(accuracyStep(layer[last]!, goal, correct, rows));
  for (let l = last - 1; l >= 1; l--) {
    steps.push(
      matmulStep({
        numpy: `${deltaName(l)} = ${deltaName(l + 1)}.dot(${weightsName(l)}.T)`,
        explain: `Backpropagation: ${deltaName(l + 1)} goes back through the same weights, transposed, giving each unit of ${layerName(l)} its share of the miss.`,
        role: 'backward',
        a: delta[l + 1]!,
        b: weights[l]!,
        c: delta[l]!,
        M: rows,
        K: size(l + 1),
        N: size(l),
        transposeB: true,
      }),
    );
    steps.push(activate2derivStep(activation, layer[l]!, delta[l]!, rows));
  }
  for (let l = last - 1; l >= 0; l--) {
    steps.push(
      matmulStep({
        numpy: `${weightDeltaName(l)} = ${layerName(l)}.T.dot(${deltaName(l + 1)})`,
        explain: `The pressure on each weight: its input in ${layerName(l)} times the delta of the unit it feeds, summed over the batch (+ pushes the weight down, − up).`,
        role: 'backward',
        a: layer[l]!,
        b: delta[l + 1]!,
        c: weightDelta[l]!,
        M: size(l),
        K: rows,
        N: size(l + 1),
        transposeA: true,
      }),
    );
    steps.push(updateStep(weightDelta[l]!, weights[l]!, rows, alpha));
  }
  return { kind: 'teaching', rows, steps, buffers: b.list };
}

/**
 * The same step in 3L + 1 dispatches for L weight matrices (the teaching plan takes 5L), on
 * buffers whose rows are padded to whole vec4s. Each layer's matmul applies its activation as it
 * writes; each backprop matmul applies the derivative; each weight matrix is updated by the matmul
 * that computes its gradient, so no weight_delta buffer exists.
 */
export function fastPlan(layers: Layers, rows: number, alpha: number, options: PlanOptions = {}): Plan {
  const activation = options.activation ?? relu;
  const last = layers.length - 1;
  const b = new Buffers(pad4);
  const goal = b.add('goal', rows, layers[last]!, 'data');
  const layer = layers.map((size, l) => b.add(layerName(l), rows, size, l === 0 ? 'data' : 'layer'));
  const delta = layers.map((size, l) => (l === 0 ? undefined : b.add(deltaName(l), rows, size, 'delta')));
  const weights = layers.slice(1).map((size, l) => b.add(weightsName(l), layers[l]!, size, 'parameter', true));
  const bias = layers.slice(1).map((size, l) => (options.bias ? b.add(`bias_${l}_${l + 1}`, 1, size, 'parameter') : undefined));
  const error = b.add('error', 1, 1, 'scalar');
  const correct = b.add('correct', 1, 1, 'scalar');
  const steps: Step[] = [gatherStep(layer[0]!, goal, rows, options.about, options.shift)];
  const common = { activation, rows, alpha };
  for (let l = 0; l < last; l++) {
    steps.push(
      matmulFastStep({ ...common, form: 'forward', activate: l + 1 < last, a: layer[l]!, b: weights[l]!, c: layer[l + 1]!, ...(bias[l] ? { bias: bias[l] } : {}) }),
    );
  }
  if (options.loss === 'softmax') steps.push(softmaxDeltaStep(layer[last]!, goal, delta[last]!, error, rows));
  else steps.push(outputDeltaStep(layer[last]!, goal, delta[last]!, error, rows));
  if (options.accuracy) steps.push(accuracyStep(layer[last]!, goal, correct, rows));
  for (let l = last - 1; l >= 1; l--) {
    steps.push(matmulFastStep({ ...common, form: 'backward', a: delta[l + 1]!, b: weights[l]!, c: delta[l]!, mask: layer[l]! }));
  }
  for (let l = last - 1; l >= 0; l--) {
    steps.push(matmulFastStep({ ...common, form: 'gradient', a: layer[l]!, b: delta[l + 1]!, c: weights[l]!, ...(bias[l] ? { bias: bias[l] } : {}) }));
  }
  return { kind: 'fast', rows, steps, buffers: b.list };
}

/** A plan's buffer by name. */
export function bufferSpec(plan: Plan, name: string): BufferSpec {
  const spec = plan.buffers.find((b) => b.name === name);
  if (!spec) throw new RangeError(`no plan buffer named ${name}`);
  return spec;
}

/** The plan options a run's config and data ask for. */
export function planOptions(
  config: Pick<TrainConfig, 'activation' | 'bias' | 'loss' | 'shift'>,
  dataset: Pick<Dataset, 'labels' | 'about' | 'imageWidth'>,
): PlanOptions {
  return {
    activation: activationOf(config.activation),
    bias: config.bias,
    loss: config.loss,
    accuracy: dataset.labels !== undefined,
    shift: config.shift > 0,
    about: aboutData(dataset),
  };
}
