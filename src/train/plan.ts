// A training step as a plan: the ordered list of dispatches for one batch, each with the line of
// the seed's numpy it implements. Built from the layer sizes alone, so the GPU trainer, the page
// and the tests all read the same list. The teaching plan has one dispatch per line of numpy.

import type { Loss } from '../cpu/network.js';
import { OptionError } from '../errors.js';
import { deltaName, layerName, pad4, weightDeltaName, weightsName, type Layers } from '../net/spec.js';

export type PlanOp =
  | { kind: 'gather'; layer: string; goal: string; rows: number }
  | {
      kind: 'matmul';
      a: string;
      b: string;
      c: string;
      M: number;
      K: number;
      N: number;
      transposeA: boolean;
      transposeB: boolean;
    }
  | { kind: 'relu'; layer: string; count: number }
  | {
      kind: 'outputDelta';
      prediction: string;
      goal: string;
      delta: string;
      error: string;
      count: number;
      /** The count over padded rows, where the buffers are padded (the padding adds 0 to the error). */
      paddedCount?: number;
    }
  | { kind: 'relu2deriv'; layer: string; delta: string; count: number }
  | { kind: 'update'; weightDelta: string; weights: string; count: number; scale: number }
  | {
      kind: 'softmaxDelta';
      prediction: string;
      goal: string;
      delta: string;
      error: string;
      rows: number;
      /** Output units, and the row length of the buffers (padded in the fast plan). */
      n: number;
      width: number;
    }
  | { kind: 'accuracy'; prediction: string; goal: string; correct: string; rows: number; n: number; width: number }
  | {
      kind: 'matmulFast';
      form: 'forward' | 'backward' | 'gradient';
      epilogue: 'store' | 'relu' | 'relu2deriv' | 'update';
      a: string;
      b: string;
      c: string;
      /** The layer whose relu2deriv masks the product. */
      mask?: string;
      /** forward: the bias added to each row; gradient: the bias updated from the column sums of b. */
      bias?: string;
      /** Logical sizes: c is (M, N), sums of length K. */
      M: number;
      K: number;
      N: number;
      /** The same, as the padded buffers hold them (rows of whole vec4s). */
      padded: { M: number; K: number; N: number };
      /** For 'update': alpha / rows. */
      scale?: number;
    };

export interface PlanStep {
  /** What the step computes, in the seed's names. */
  numpy: string;
  /** The shader in shaders/ that runs it. */
  shader: string;
  op: PlanOp;
}

export type PlanKind = 'teaching' | 'fast';

/**
 * The fast plan: the same step in 3L + 1 dispatches for L weight matrices (the teaching plan takes
 * 5L), on buffers whose rows are padded to whole vec4s. Each layer's matmul applies its ReLU as it
 * writes; each backprop matmul applies relu2deriv; each weight matrix is updated by the matmul
 * that computes its gradient, so no weight_delta buffer exists.
 */
export interface FastPlanOptions {
  /** Biases, added by each forward matmul and updated by each gradient matmul. */
  bias?: boolean;
  loss?: Loss;
  /** Count the rows whose largest output is the goal's class (classification data). */
  accuracy?: boolean;
}

export function fastPlan(layers: Layers, rows: number, alpha: number, options: FastPlanOptions = {}): PlanStep[] {
  const last = layers.length - 1;
  const biasName = (l: number): string | undefined => (options.bias ? `bias_${l}_${l + 1}` : undefined);
  const plus = (l: number): string => (options.bias ? ` + ${biasName(l)}` : '');
  const size = (l: number): number => layers[l]!;
  const steps: PlanStep[] = [];
  steps.push(gatherStep(rows));
  for (let l = 0; l < last; l++) {
    const hidden = l + 1 < last;
    steps.push({
      numpy: hidden
        ? `${layerName(l + 1)} = relu(np.dot(${layerName(l)}, ${weightsName(l)})${plus(l)})`
        : `${layerName(l + 1)} = np.dot(${layerName(l)}, ${weightsName(l)})${plus(l)}`,
      shader: 'matmul_fast',
      op: {
        kind: 'matmulFast',
        form: 'forward',
        epilogue: hidden ? 'relu' : 'store',
        a: layerName(l),
        b: weightsName(l),
        c: layerName(l + 1),
        ...(options.bias ? { bias: biasName(l)! } : {}),
        M: rows,
        K: size(l),
        N: size(l + 1),
        padded: { M: rows, K: pad4(size(l)), N: pad4(size(l + 1)) },
      },
    });
  }
  if (options.loss === 'softmax') {
    steps.push({
      numpy: `${deltaName(last)} = softmax(${layerName(last)}) - goal; error += cross_entropy(${layerName(last)}, goal)`,
      shader: 'softmax_delta',
      op: {
        kind: 'softmaxDelta',
        prediction: layerName(last),
        goal: 'goal',
        delta: deltaName(last),
        error: 'error',
        rows,
        n: size(last),
        width: pad4(size(last)),
      },
    });
  } else {
    steps.push(outputDeltaStep(last, rows, size(last), pad4(size(last))));
  }
  if (options.accuracy) {
    steps.push({
      numpy: `correct += np.sum(${layerName(last)}.argmax(1) == goal.argmax(1))`,
      shader: 'accuracy',
      op: { kind: 'accuracy', prediction: layerName(last), goal: 'goal', correct: 'correct', rows, n: size(last), width: pad4(size(last)) },
    });
  }
  for (let l = last - 1; l >= 1; l--) {
    steps.push({
      numpy: `${deltaName(l)} = ${deltaName(l + 1)}.dot(${weightsName(l)}.T) * relu2deriv(${layerName(l)})`,
      shader: 'matmul_fast',
      op: {
        kind: 'matmulFast',
        form: 'backward',
        epilogue: 'relu2deriv',
        a: deltaName(l + 1),
        b: weightsName(l),
        c: deltaName(l),
        mask: layerName(l),
        M: rows,
        K: size(l + 1),
        N: size(l),
        padded: { M: rows, K: pad4(size(l + 1)), N: pad4(size(l)) },
      },
    });
  }
  const scaleText = rows === 1 ? 'alpha' : `alpha / ${rows}`;
  for (let l = last - 1; l >= 0; l--) {
    steps.push({
      numpy:
        `${weightsName(l)} -= ${scaleText} * ${layerName(l)}.T.dot(${deltaName(l + 1)})` +
        (options.bias ? `; ${biasName(l)} -= ${scaleText} * ${deltaName(l + 1)}.sum(0)` : ''),
      shader: 'matmul_fast',
      op: {
        kind: 'matmulFast',
        form: 'gradient',
        epilogue: 'update',
        a: layerName(l),
        b: deltaName(l + 1),
        c: weightsName(l),
        ...(options.bias ? { bias: biasName(l)! } : {}),
        M: size(l),
        K: rows,
        N: size(l + 1),
        padded: { M: pad4(size(l)), K: rows, N: pad4(size(l + 1)) },
        scale: alpha / rows,
      },
    });
  }
  return steps;
}

/** The plan of a kind; the teaching plan follows the seed: no biases, squared error. */
export function planOf(kind: PlanKind, layers: Layers, rows: number, alpha: number, options: FastPlanOptions = {}): PlanStep[] {
  if (kind === 'fast') return fastPlan(layers, rows, alpha, options);
  if (options.bias || options.loss === 'softmax') {
    throw new OptionError('the teaching plan follows the seed: no biases and a squared error', 'use --plan fast (or auto) for biases and softmax');
  }
  return teachingPlan(layers, rows, alpha);
}

/** The names of every buffer a plan touches, in the order a learner meets them. */
export function planBufferNames(layers: Layers): string[] {
  const last = layers.length - 1;
  const names = ['goal'];
  for (let l = 0; l <= last; l++) names.push(layerName(l));
  for (let l = last; l >= 1; l--) names.push(deltaName(l));
  for (let l = 0; l < last; l++) names.push(weightsName(l));
  for (let l = last - 1; l >= 0; l--) names.push(weightDeltaName(l));
  names.push('error');
  return names;
}

/** layer_0 and goal for the batch's rows. */
function gatherStep(rows: number): PlanStep {
  const rowsText = rows === 1 ? 'i:i+1' : `i:i+${rows}`;
  return {
    numpy: `layer_0, goal = inputs[${rowsText}], targets[${rowsText}]`,
    shader: 'gather',
    op: { kind: 'gather', layer: layerName(0), goal: 'goal', rows },
  };
}

/** The output layer's delta and the batch's error; `width` is its row length in the buffers. */
function outputDeltaStep(last: number, rows: number, size: number, width: number): PlanStep {
  return {
    numpy: `${deltaName(last)} = ${layerName(last)} - goal; error += np.sum(${deltaName(last)} ** 2)`,
    shader: 'output_delta',
    op: {
      kind: 'outputDelta',
      prediction: layerName(last),
      goal: 'goal',
      delta: deltaName(last),
      error: 'error',
      count: rows * size,
      ...(width !== size ? { paddedCount: rows * width } : {}),
    },
  };
}

/**
 * One dispatch per line of the seed's numpy, for a batch of `rows` examples:
 * gather, then per layer matmul (+ relu), the output delta and error, per hidden layer the backprop
 * matmul and relu2deriv, then per weight matrix the gradient matmul and the update. Every delta is
 * computed before any weight changes, as in the seed.
 */
export function teachingPlan(layers: Layers, rows: number, alpha: number): PlanStep[] {
  const last = layers.length - 1;
  const size = (l: number): number => layers[l]!;
  const steps: PlanStep[] = [];
  steps.push(gatherStep(rows));
  for (let l = 0; l < last; l++) {
    steps.push({
      numpy: `${layerName(l + 1)} = np.dot(${layerName(l)}, ${weightsName(l)})`,
      shader: 'matmul',
      op: {
        kind: 'matmul',
        a: layerName(l),
        b: weightsName(l),
        c: layerName(l + 1),
        M: rows,
        K: size(l),
        N: size(l + 1),
        transposeA: false,
        transposeB: false,
      },
    });
    if (l + 1 < last) {
      steps.push({
        numpy: `${layerName(l + 1)} = relu(${layerName(l + 1)})`,
        shader: 'relu',
        op: { kind: 'relu', layer: layerName(l + 1), count: rows * size(l + 1) },
      });
    }
  }
  steps.push(outputDeltaStep(last, rows, size(last), size(last)));
  for (let l = last - 1; l >= 1; l--) {
    steps.push({
      numpy: `${deltaName(l)} = ${deltaName(l + 1)}.dot(${weightsName(l)}.T)`,
      shader: 'matmul',
      op: {
        kind: 'matmul',
        a: deltaName(l + 1),
        b: weightsName(l),
        c: deltaName(l),
        M: rows,
        K: size(l + 1),
        N: size(l),
        transposeA: false,
        transposeB: true,
      },
    });
    steps.push({
      numpy: `${deltaName(l)} *= relu2deriv(${layerName(l)})`,
      shader: 'relu2deriv',
      op: { kind: 'relu2deriv', layer: layerName(l), delta: deltaName(l), count: rows * size(l) },
    });
  }
  const scaleText = rows === 1 ? 'alpha' : `alpha / ${rows}`;
  for (let l = last - 1; l >= 0; l--) {
    steps.push({
      numpy: `${weightDeltaName(l)} = ${layerName(l)}.T.dot(${deltaName(l + 1)})`,
      shader: 'matmul',
      op: {
        kind: 'matmul',
        a: layerName(l),
        b: deltaName(l + 1),
        c: weightDeltaName(l),
        M: size(l),
        K: rows,
        N: size(l + 1),
        transposeA: true,
        transposeB: false,
      },
    });
    steps.push({
      numpy: `${weightsName(l)} -= ${scaleText} * ${weightDeltaName(l)}`,
      shader: 'update',
      op: {
        kind: 'update',
        weightDelta: weightDeltaName(l),
        weights: weightsName(l),
        count: size(l) * size(l + 1),
        scale: alpha / rows,
      },
    });
  }
  return steps;
}

/** The (rows, cols) of a plan buffer for a batch of `rows` examples: layers and deltas are (rows, size). */
export function planBufferShape(name: string, layers: Layers, rows: number): [number, number] {
  if (name === 'error' || name === 'correct') return [1, 1];
  const bias = /^bias_(\d+)_(\d+)$/.exec(name);
  if (bias) return [1, layers[Number(bias[2])]!];
  if (name === 'goal') return [rows, layers[layers.length - 1]!];
  const layer = /^layer_(\d+)(_delta)?$/.exec(name);
  if (layer) return [rows, layers[Number(layer[1])]!];
  const weights = /^(?:weights|weight_delta)_(\d+)_(\d+)$/.exec(name);
  if (weights) return [layers[Number(weights[1])]!, layers[Number(weights[2])]!];
  throw new RangeError(`no plan buffer named ${name}`);
}
