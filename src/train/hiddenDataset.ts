// The lesson's central argument made visible: the first hidden layer turns the data into a new
// dataset, layer_1, one row per example and one column per hidden unit. The streetlights' lights
// do not correlate with walking; after training, hidden units do (one fires only for [1 0 1],
// another only for [0 1 1]), and the output layer learns from that intermediate dataset. Computed
// by the float64 CPU reference from the current weights.

import { CpuNetwork } from '../cpu/network.js';
import type { Dataset } from '../data/dataset.js';
import type { Activation } from '../ops/activations/activation.js';

export interface HiddenDataset {
  /** The data's inputs per example (the row labels: [1 0 1], …). */
  inputs: number[][];
  /** The goal per example, of the output the correlation is taken with. */
  goals: number[];
  /** layer_1 per example: hidden[i][u] is unit u's output on example i. */
  hidden: number[][];
  /**
   * Each hidden unit's correlation with the goal (Pearson's r over the examples); undefined where
   * the unit's output is the same on every example (a dead unit, say), which correlates with nothing.
   */
  correlation: (number | undefined)[];
  /**
   * The lesson's up and down pressure with layer_1 in place of the lights, sized: a unit's output
   * pushes its weight to the output up on a walk example (goal above ½) and down on a stop one, by
   * as much as the unit is on. up[u] and down[u] add those pushes; net is the sign of up − down.
   */
  pressure: { up: number[]; down: number[]; net: number[] };
}

/** Pearson's correlation of x with y, or undefined when either does not vary. */
export function correlation(x: readonly number[], y: readonly number[]): number | undefined {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  // A spread below float64's noise on values of this size is no spread.
  const tiny = (m: number, s: number): boolean => s <= (1e-24 * n * Math.max(1, m * m));
  if (tiny(mx, sxx) || tiny(my, syy)) return undefined;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * layer_1 of a network with a hidden layer, on the first `maxExamples` examples, against the goal
 * of output `output`; undefined for a network without one.
 */
export function hiddenDataset(
  layers: readonly number[],
  params: readonly ArrayLike<number>[],
  dataset: Dataset,
  options: { activation: Activation; bias: boolean },
  output = 0,
  maxExamples = 16,
): HiddenDataset | undefined {
  if (layers.length < 3) return undefined;
  const network = new CpuNetwork(layers, params, 1, options);
  const width = layers[1]!;
  const inputs: number[][] = [];
  const goals: number[] = [];
  const hidden: number[][] = [];
  for (let i = 0; i < Math.min(dataset.rows, maxExamples); i++) {
    const row = dataset.inputs.subarray(i * dataset.inputSize, (i + 1) * dataset.inputSize);
    network.forward(row, 1);
    inputs.push(Array.from(row));
    goals.push(dataset.targets[i * dataset.outputSize + output]!);
    hidden.push(Array.from(network.layers[1]!.subarray(0, width)));
  }
  const column = (u: number): number[] => hidden.map((r) => r[u]!);
  return {
    inputs,
    goals,
    hidden,
    correlation: Array.from({ length: width }, (_, u) => correlation(column(u), goals)),
    pressure: sizedPressure(hidden, goals),
  };
}

/** The lesson's rule, each push as large as the input that makes it. */
function sizedPressure(rows: readonly (readonly number[])[], goals: readonly number[]): HiddenDataset['pressure'] {
  const n = rows[0]?.length ?? 0;
  const up = new Array<number>(n).fill(0);
  const down = new Array<number>(n).fill(0);
  rows.forEach((row, i) => {
    const direction = goals[i]! > 0.5 ? 1 : -1;
    row.forEach((x, u) => {
      const push = direction * x;
      if (push > 0) up[u]! += push;
      if (push < 0) down[u]! -= push;
    });
  });
  return { up, down, net: up.map((u, k) => Math.sign(u - down[k]!)) };
}
