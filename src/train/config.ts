// What a training run is: the network, the data's batches, alpha, how long, from which weights.
// The seed's programs are named examples; every option is checked here, before any GPU work.

import { OptionError } from '../errors.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import type { Dataset } from '../data/dataset.js';
import { ONE_LAYER_WEIGHTS, seededWeights } from '../net/init.js';
import { validateLayers, weightShape, type Layers } from '../net/spec.js';

/** The seed's three kinds of gradient descent. */
export type Mode = 'stochastic' | 'batch' | 'full';
export const MODES: readonly Mode[] = ['stochastic', 'batch', 'full'];

export interface TrainConfig {
  layers: Layers;
  mode: Mode;
  /** Examples per update: 1 for stochastic, the whole dataset for full. */
  batchSize: number;
  alpha: number;
  iterations: number;
  seed: number;
  /** Log the error after every logEvery-th iteration. */
  logEvery: number;
}

export interface Example {
  description: string;
  dataset: string;
  layers: Layers;
  alpha: number;
  iterations: number;
  seed: number;
  logEvery: number;
  /** Fixed starting weights, one array per matrix, instead of seeded ones. */
  weights?: readonly (readonly number[])[];
}

export const EXAMPLES: Record<string, Example> = {
  'two-layer': {
    description: "the seed's two-layer program: 4 streetlights, 3-4-1 ReLU net, alpha 0.2, 60 iterations, np.random.seed(1)",
    dataset: 'streetlights-4',
    layers: [3, 4, 1],
    alpha: 0.2,
    iterations: 60,
    seed: 1,
    logEvery: 10,
  },
  'one-layer': {
    description: "the seed's first program: 6 streetlights, 3-1 linear net from weights [0.5, 0.48, -0.7], alpha 0.1, 40 iterations",
    dataset: 'streetlights',
    layers: [3, 1],
    alpha: 0.1,
    iterations: 40,
    seed: 1,
    logEvery: 1,
    weights: [ONE_LAYER_WEIGHTS],
  },
};

export const DEFAULT_EXAMPLE = 'two-layer';

export function example(name: string): Example {
  const found = EXAMPLES[name];
  if (!found) throw new OptionError(`unknown example "${name}"`, `choose one of: ${Object.keys(EXAMPLES).join(', ')}`);
  return found;
}

export function builtinDataset(name: string): Dataset {
  const make = BUILTIN_DATASETS[name];
  if (!make) throw new OptionError(`unknown dataset "${name}"`, `choose one of: ${Object.keys(BUILTIN_DATASETS).join(', ')}, or give a .csv or .json file`);
  return make();
}

export interface ConfigInput {
  layers: Layers;
  mode?: Mode | undefined;
  batchSize?: number | undefined;
  alpha: number;
  iterations: number;
  seed: number;
  logEvery?: number | undefined;
}

/** Checks every number and resolves the batch size from the mode (or the mode from a batch size). */
export function resolveConfig(input: ConfigInput, dataset: Dataset): TrainConfig {
  const layers = validateLayers(input.layers);
  const { alpha, iterations, seed } = input;
  if (!Number.isFinite(alpha) || alpha <= 0) {
    throw new OptionError(`alpha must be a finite number above 0, got ${alpha}`, 'the seed uses 0.1 and 0.2');
  }
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new OptionError(`iterations must be a whole number of at least 1, got ${iterations}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new OptionError(`seed must be a whole number from 0 to 4294967295 (as np.random.seed takes), got ${seed}`);
  }
  const logEvery = input.logEvery ?? 1;
  if (!Number.isInteger(logEvery) || logEvery < 1) {
    throw new OptionError(`log-every must be a whole number of at least 1, got ${logEvery}`);
  }
  if (input.batchSize !== undefined && (!Number.isInteger(input.batchSize) || input.batchSize < 1)) {
    throw new OptionError(`batch size must be a whole number of at least 1, got ${input.batchSize}`);
  }
  const mode = input.mode ?? (input.batchSize !== undefined ? 'batch' : 'stochastic');
  if (!MODES.includes(mode)) throw new OptionError(`unknown mode "${String(mode)}"`, `choose one of: ${MODES.join(', ')}`);
  let batchSize: number;
  if (mode === 'stochastic') {
    if (input.batchSize !== undefined && input.batchSize !== 1) {
      throw new OptionError(`stochastic gradient descent updates after every example; a batch size of ${input.batchSize} needs --mode batch`);
    }
    batchSize = 1;
  } else if (mode === 'full') {
    if (input.batchSize !== undefined && input.batchSize !== dataset.rows) {
      throw new OptionError(`full gradient descent uses the whole dataset (${dataset.rows} examples) as one batch; a batch size of ${input.batchSize} needs --mode batch`);
    }
    batchSize = dataset.rows;
  } else {
    batchSize = Math.min(input.batchSize ?? 32, dataset.rows);
  }
  return { layers, mode, batchSize, alpha, iterations, seed, logEvery };
}

/** Checks that given starting weights have one matrix per layer pair, of the right size, all finite. */
export function checkWeights(layers: Layers, weights: readonly ArrayLike<number>[]): void {
  if (weights.length !== layers.length - 1) {
    throw new OptionError(`expected ${layers.length - 1} weight matrices for layers ${layers.join(',')}, got ${weights.length}`);
  }
  weights.forEach((w, l) => {
    const [rows, cols] = weightShape(layers, l);
    if (w.length !== rows * cols) {
      throw new OptionError(`weights_${l}_${l + 1} should hold ${rows}×${cols} = ${rows * cols} values, got ${w.length}`);
    }
    for (let i = 0; i < w.length; i++) {
      if (!Number.isFinite(w[i])) throw new OptionError(`weights_${l}_${l + 1}[${i}] is ${w[i]}; weights must be finite`);
    }
  });
}

/** More weights than this are refused before any are made: 2²⁸ float64 values are 2 GiB of CPU memory. */
export const MAX_WEIGHTS = 2 ** 28;

/** The number of weights of a network. */
export function weightCount(layers: Layers): number {
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) total += layers[l]! * layers[l + 1]!;
  return total;
}

/** The starting weights: the example's fixed ones if it has them and the layers match, else seeded. */
export function initialWeights(layers: Layers, seed: number, fixed?: readonly (readonly number[])[]): Float64Array[] {
  const count = weightCount(layers);
  if (count > MAX_WEIGHTS) {
    throw new OptionError(`layers ${layers.join(',')} have ${count.toLocaleString('en')} weights, more than the ${MAX_WEIGHTS.toLocaleString('en')} this tool holds in memory`, 'use smaller layers');
  }
  if (fixed) {
    checkWeights(layers, fixed);
    return fixed.map((w) => Float64Array.from(w));
  }
  return seededWeights(layers, seed);
}

export interface Batch {
  start: number;
  rows: number;
}

/** Consecutive batches in dataset order; the last one may be smaller. */
export function batches(rows: number, batchSize: number): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < rows; start += batchSize) out.push({ start, rows: Math.min(batchSize, rows - start) });
  return out;
}
