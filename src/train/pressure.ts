// The seed's up and down pressure: for each example alone, the direction its update would push
// each weight (+ up, − down, 0 none: the weight's input was 0, or its ReLU was off), and the net
// push over all examples. Weights whose input correlates with the goal feel up pressure;
// decorrelated ones are pushed towards 0.

import { CpuNetwork } from '../cpu/network.js';
import type { Dataset } from '../data/dataset.js';
import { weightShape, weightsName, type Layers } from '../net/spec.js';
import type { Activation } from '../ops/activations/activation.js';

export interface PressureMatrix {
  name: string;
  rows: number;
  cols: number;
  /** perExample[i][k]: sign (−1, 0, 1) of −weight_delta for weight k when training on example i alone. */
  perExample: Int8Array[];
  /** push[i][k]: −weight_delta itself, the size of that push (the update is alpha times it). */
  push: Float64Array[];
  /** Sign of the summed update over all examples. */
  net: Int8Array;
  /** The summed push over all examples. */
  sum: Float64Array;
  up: Uint32Array;
  down: Uint32Array;
}

export function pressure(layers: Layers, weights: readonly ArrayLike<number>[], dataset: Dataset, activation?: Activation, maxExamples = 16): PressureMatrix[] {
  const network = new CpuNetwork(layers, weights, 1, activation ? { activation } : {});
  const examples = Math.min(dataset.rows, maxExamples);
  const out: PressureMatrix[] = weights.map((w, l) => {
    const [rows, cols] = weightShape(layers, l);
    return {
      name: weightsName(l),
      rows,
      cols,
      perExample: [],
      push: [],
      net: new Int8Array(w.length),
      sum: new Float64Array(w.length),
      up: new Uint32Array(w.length),
      down: new Uint32Array(w.length),
    };
  });
  const sums = weights.map((w) => new Float64Array(w.length));
  for (let i = 0; i < examples; i++) {
    const input = dataset.inputs.subarray(i * dataset.inputSize, (i + 1) * dataset.inputSize);
    const goal = dataset.targets.subarray(i * dataset.outputSize, (i + 1) * dataset.outputSize);
    network.gradients(input, goal, 1);
    network.weightDeltas.forEach((g, l) => {
      const m = out[l]!;
      const signs = new Int8Array(g.length);
      for (let k = 0; k < g.length; k++) {
        // The update is −alpha · weight_delta: a negative weight_delta pushes the weight up.
        signs[k] = -Math.sign(g[k]!);
        if (signs[k] > 0) m.up[k]!++;
        if (signs[k] < 0) m.down[k]!++;
        sums[l]![k]! -= g[k]!;
      }
      m.perExample.push(signs);
      m.push.push(Float64Array.from(g, (v) => (v === 0 ? 0 : -v)));
    });
  }
  out.forEach((m, l) => {
    for (let k = 0; k < m.net.length; k++) m.net[k] = Math.sign(sums[l]![k]!);
    m.sum.set(sums[l]!);
  });
  return out;
}

/**
 * The lesson's pressure table, from the data alone: for each example, each input's push on the
 * weight that connects it to the output, as a single layer feels it. An input that is off feels
 * none (0); one that is on is pushed up (+) when the example's goal is 1 and down (−) when it is
 * 0. The net is the sign of ups − downs; `conflict` marks inputs with as many ups as downs.
 */
export interface LessonPressure {
  /** One row per example: its inputs and goal, and the sign per input. */
  examples: { inputs: number[]; goal: number; signs: number[] }[];
  up: number[];
  down: number[];
  net: number[];
}

export function lessonPressure(dataset: Dataset, output = 0, maxExamples = 16): LessonPressure {
  const n = dataset.inputSize;
  const rows: number[][] = [];
  const goals: number[] = [];
  for (let i = 0; i < Math.min(dataset.rows, maxExamples); i++) {
    rows.push(Array.from(dataset.inputs.subarray(i * n, (i + 1) * n)));
    goals.push(dataset.targets[i * dataset.outputSize + output]!);
  }
  return lessonPressureOf(rows, goals);
}

/**
 * The lesson's rule on any table of inputs (the data's lights, or a hidden layer's outputs): an
 * input that is 0 feels no push; one that is not is pushed up when the goal is above ½ and down
 * when it is below, times the input's sign.
 */
export function lessonPressureOf(rows: readonly (readonly number[])[], goals: readonly number[]): LessonPressure {
  const n = rows[0]?.length ?? 0;
  const up = new Array<number>(n).fill(0);
  const down = new Array<number>(n).fill(0);
  const examples = rows.map((inputs, i) => {
    const goal = goals[i]!;
    const signs = inputs.map((x) => (x === 0 ? 0 : (goal > 0.5 ? 1 : -1) * Math.sign(x)));
    signs.forEach((s, k) => {
      if (s > 0) up[k]!++;
      if (s < 0) down[k]!++;
    });
    return { inputs: [...inputs], goal, signs };
  });
  return { examples, up, down, net: up.map((u, k) => Math.sign(u - down[k]!)) };
}

/** Hidden units of the first hidden layer that never fire (ReLU output 0) on any example: dead, they pass nothing back. */
export function deadUnits(layers: Layers, weights: readonly ArrayLike<number>[], dataset: Dataset, activation?: Activation): number[] {
  if (layers.length < 3 || (activation && activation.forward(-1) !== 0)) return [];
  const network = new CpuNetwork(layers, weights, 1, activation ? { activation } : {});
  const hidden = layers[1]!;
  const fired = new Array<boolean>(hidden).fill(false);
  for (let i = 0; i < dataset.rows; i++) {
    network.forward(dataset.inputs.subarray(i * dataset.inputSize, (i + 1) * dataset.inputSize), 1);
    for (let u = 0; u < hidden; u++) if (network.layers[1]![u]! > 0) fired[u] = true;
  }
  return fired.flatMap((f, u) => (f ? [] : [u]));
}
