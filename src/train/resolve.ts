// One resolver from what a user asked for (the CLI's options, the page's form and URL) to a run:
// the example it starts from, the dataset, the checked config and the starting weights. Both the
// CLI and the page call it, with their own way of loading data; numbers are parsed here, once.

import { checkFits, type Dataset } from '../data/dataset.js';
import { OptionError } from '../errors.js';
import { parseLayers, type Layers } from '../net/spec.js';
import {
  DEFAULT_EXAMPLE,
  EXAMPLES,
  MODES,
  classificationDefaults,
  example as findExample,
  initialWeights,
  checkDistributions,
  resolveConfig,
  type Example,
  type Init,
  type Mode,
  type TrainConfig,
} from './config.js';
import type { Loss } from '../cpu/network.js';

/** What the user said, as typed; undefined where they said nothing (the example's value applies). */
export interface RunSettings {
  example?: string | undefined;
  dataset?: string | undefined;
  layers?: string | undefined;
  mode?: string | undefined;
  batchSize?: string | undefined;
  alpha?: string | undefined;
  iterations?: string | undefined;
  seed?: string | undefined;
  logEvery?: string | undefined;
  loss?: string | undefined;
  bias?: boolean | undefined;
  shuffle?: boolean | undefined;
  init?: string | undefined;
  alphaDecay?: string | undefined;
  shift?: string | undefined;
  activation?: string | undefined;
}

/** A training set and, for data that has one, its held-out test set. */
export interface LoadedData {
  train: Dataset;
  test?: Dataset | undefined;
}

/** Where the data comes from: the CLI reads files, the page fetches or takes an upload. */
export interface DataSource {
  /** The dataset `spec` names; `outputSize` is the output layer's size when known (CSV files need it). */
  load(spec: string, outputSize: number | undefined): Promise<LoadedData>;
}

/** Weights the user loaded (--load, or imported in the page). */
export interface LoadedWeights {
  layers: Layers;
  bias: boolean;
  weights: readonly ArrayLike<number>[];
  /** Where they came from, for messages. */
  source: string;
}

export interface ResolvedRun {
  /** The example the run starts from (its defaults fill what was not said). */
  example: string;
  config: TrainConfig;
  dataset: Dataset;
  test?: Dataset | undefined;
  /**
   * The starting weights, made when called: the CLI asks for the device first, so a network too
   * big for it is refused before it is allocated here.
   */
  weights(): Float64Array[];
  init: Init;
}

/** A decimal number, as typed: "0.1", "-2", "1e-3". NaN, Infinity and anything else are refused. */
export function parseNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) throw new OptionError(`${name}: "${text}" is not a number`, 'write a decimal number such as 0.2 or 1e-3');
  return Number(trimmed);
}

/** The example to start from: the one named, else the one whose dataset is asked for, else the default. */
export function exampleFor(settings: Pick<RunSettings, 'example' | 'dataset'>): string {
  if (settings.example !== undefined) return settings.example;
  return Object.entries(EXAMPLES).find(([, e]) => e.dataset === settings.dataset)?.[0] ?? DEFAULT_EXAMPLE;
}

export async function resolveRun(s: RunSettings, data: DataSource, loaded?: LoadedWeights): Promise<ResolvedRun> {
  const name = exampleFor(s);
  const example = findExample(name);
  let layers: Layers | undefined = s.layers !== undefined ? parseLayers(s.layers) : undefined;
  if (loaded && layers && loaded.layers.join(',') !== layers.join(',')) {
    throw new OptionError(`${loaded.source} holds weights for layers ${loaded.layers.join(',')}, not ${layers.join(',')}`);
  }
  layers ??= loaded?.layers;
  const spec = s.dataset ?? example.dataset;
  const { train: dataset, test } = await data.load(spec, layers?.at(-1));
  const sameData = spec === example.dataset;
  // What trains unless told otherwise: the example's settings on its own data, the image-data
  // defaults on other labelled data, the seed's on the rest.
  const base: Omit<Example, 'description' | 'dataset'> = sameData
    ? example
    : dataset.labels
      ? classificationDefaults(dataset.inputSize, dataset.outputSize)
      : { ...example, layers: [dataset.inputSize, 4, dataset.outputSize], weights: undefined };
  layers ??= base.layers;
  checkFits(dataset, layers);
  if (test) checkFits(test, layers);
  const mode = s.mode as Mode | undefined;
  if (mode !== undefined && !MODES.includes(mode)) throw new OptionError(`unknown mode "${mode}"`, `choose one of: ${MODES.join(', ')}`);
  const init = (s.init ?? base.init ?? 'seed') as Init;
  if (init !== 'seed' && init !== 'he') throw new OptionError(`unknown init "${init}"`, 'choose seed or he');
  if (loaded && s.bias !== undefined && s.bias !== loaded.bias) throw new OptionError(`${loaded.source} ${loaded.bias ? 'has' : 'has no'} biases`);
  const batchSize = parseNumber('batch size', s.batchSize) ?? (mode === undefined || mode === 'batch' ? base.batchSize : undefined);
  const config = resolveConfig(
    {
      layers,
      mode: mode ?? base.mode,
      batchSize,
      alpha: parseNumber('alpha', s.alpha) ?? base.alpha,
      iterations: parseNumber('iterations', s.iterations) ?? base.iterations,
      seed: parseNumber('seed', s.seed) ?? base.seed,
      logEvery: parseNumber('log every', s.logEvery) ?? base.logEvery,
      loss: (s.loss ?? base.loss) as Loss | undefined,
      bias: loaded ? loaded.bias : (s.bias ?? base.bias),
      shuffle: s.shuffle ?? base.shuffle,
      alphaDecay: parseNumber('alpha decay', s.alphaDecay) ?? base.alphaDecay,
      shift: parseNumber('shift', s.shift) ?? base.shift,
      activation: s.activation ?? base.activation,
    },
    dataset,
  );
  if (config.loss === 'softmax' && test) checkDistributions(test);
  // The example's fixed weights apply while its network, data and seed are used.
  const fixed = sameData && config.layers.join(',') === example.layers.join(',') && config.seed === example.seed ? example.weights : undefined;
  const weights = (): Float64Array[] =>
    loaded ? loaded.weights.map((w) => Float64Array.from(w)) : initialWeights(config.layers, config.seed, fixed, { bias: config.bias, init });
  return { example: name, config, dataset, test, weights, init };
}
