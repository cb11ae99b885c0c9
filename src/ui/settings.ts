// The page's settings: what the CLI's options set, kept in the URL query so that a link
// reproduces a run (?example=two-layer&seed=1&mode=full&autorun=1). Every value is checked by
// the same code the CLI uses.

import type { Loss } from '../cpu/network.js';
import { checkFits, type Dataset } from '../data/dataset.js';
import type { TrainTest } from '../data/idxSet.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { OptionError } from '../errors.js';
import { parseLayers, type Layers } from '../net/spec.js';
import {
  DEFAULT_EXAMPLE,
  EXAMPLES,
  MODES,
  builtinDataset,
  example as findExample,
  initialWeights,
  resolveConfig,
  type Mode,
  type TrainConfig,
} from '../train/config.js';

export interface Settings {
  example: string;
  dataset: string;
  layers: string;
  mode: Mode;
  batchSize: string;
  alpha: string;
  iterations: string;
  seed: string;
  logEvery: string;
  loss: string;
  bias: boolean;
  shuffle: boolean;
  init: string;
  alphaDecay: string;
  shift: string;
  autorun: boolean;
}

/** The settings of an example, as the CLI runs it with no other options. */
export function exampleSettings(name: string): Settings {
  const e = findExample(name);
  return {
    example: name,
    dataset: e.dataset,
    layers: e.layers.join(','),
    mode: e.mode ?? 'stochastic',
    batchSize: e.batchSize !== undefined ? String(e.batchSize) : '',
    alpha: String(e.alpha),
    iterations: String(e.iterations),
    seed: String(e.seed),
    logEvery: String(e.logEvery),
    loss: e.loss ?? 'squared',
    bias: e.bias ?? false,
    shuffle: e.shuffle ?? false,
    init: e.init ?? 'seed',
    alphaDecay: String(e.alphaDecay ?? 1),
    shift: String(e.shift ?? 0),
    autorun: false,
  };
}

const KEYS: Record<Exclude<keyof Settings, 'autorun' | 'bias' | 'shuffle'>, string> = {
  example: 'example',
  dataset: 'dataset',
  layers: 'layers',
  mode: 'mode',
  batchSize: 'batch',
  alpha: 'alpha',
  iterations: 'iterations',
  seed: 'seed',
  logEvery: 'log',
  loss: 'loss',
  init: 'init',
  alphaDecay: 'decay',
  shift: 'shift',
};
const FLAGS = { bias: 'bias', shuffle: 'shuffle' } as const;

/** Settings from a query string: the example's defaults, overridden by what the query names. */
export function settingsFromQuery(search: string): Settings {
  const query = new URLSearchParams(search);
  const name = query.get('example') ?? DEFAULT_EXAMPLE;
  const base = exampleSettings(EXAMPLES[name] ? name : DEFAULT_EXAMPLE);
  const out: Settings = { ...base };
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const value = query.get(key);
    if (value !== null && field !== 'example') (out as unknown as Record<string, string>)[field] = value;
  }
  if (!EXAMPLES[name]) out.example = name; // kept, so resolve() can say it is unknown
  for (const [field, key] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) {
    const value = query.get(key);
    if (value !== null) out[field] = value === '1';
  }
  out.autorun = query.get('autorun') === '1';
  return out;
}

/** The shortest query that reproduces the settings: only what differs from the example. */
export function queryFromSettings(s: Settings): string {
  const base = EXAMPLES[s.example] ? exampleSettings(s.example) : undefined;
  const query = new URLSearchParams();
  query.set('example', s.example);
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    if (field === 'example') continue;
    const value = String(s[field]);
    if (!base || value !== String(base[field])) query.set(key, value);
  }
  for (const [field, key] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) {
    if (!base || s[field] !== base[field]) query.set(key, s[field] ? '1' : '0');
  }
  if (s.autorun) query.set('autorun', '1');
  return `?${query.toString()}`;
}

export interface Resolved {
  config: TrainConfig;
  dataset: Dataset;
  /** The held-out set, for datasets that have one (mnist). */
  test?: Dataset;
  weights: Float64Array[];
}

/** Datasets the page has beyond the built-in ones: a file the user loaded, the embedded digits once fetched. */
export interface ExtraData {
  uploaded?: Dataset | undefined;
  mnist?: TrainTest | undefined;
}

const num = (name: string, text: string): number => {
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) throw new OptionError(`${name}: "${text}" is not a number`);
  return Number(text);
};

/**
 * Checks the settings and builds the run: dataset (built-in, or `uploaded` when the settings name
 * it), config and starting weights (the example's fixed ones while its network and data are used
 * and the seed is the example's, imported ones when given).
 */
export function resolve(s: Settings, extra: ExtraData = {}, imported?: Float64Array[]): Resolved {
  const e = findExample(s.example);
  let dataset: Dataset;
  let test: Dataset | undefined;
  const { uploaded, mnist } = extra;
  if (uploaded && s.dataset === uploaded.name) dataset = uploaded;
  else if (s.dataset === 'mnist') {
    if (!mnist) throw new OptionError('the MNIST digits are still loading');
    dataset = mnist.train;
    test = mnist.test;
  } else if (BUILTIN_DATASETS[s.dataset]) dataset = builtinDataset(s.dataset);
  else throw new OptionError(`unknown dataset "${s.dataset}"`, `choose one of: ${Object.keys(BUILTIN_DATASETS).join(', ')}, mnist, or load a file`);
  const layers: Layers = parseLayers(s.layers);
  checkFits(dataset, layers);
  if (!MODES.includes(s.mode)) throw new OptionError(`unknown mode "${s.mode}"`, `choose one of: ${MODES.join(', ')}`);
  const config = resolveConfig(
    {
      layers,
      mode: s.mode,
      batchSize: s.mode === 'batch' && s.batchSize.trim() !== '' ? num('batch size', s.batchSize) : undefined,
      alpha: num('alpha', s.alpha),
      iterations: num('iterations', s.iterations),
      seed: num('seed', s.seed),
      logEvery: num('log every', s.logEvery),
      loss: s.loss as Loss,
      bias: s.bias,
      shuffle: s.shuffle,
      alphaDecay: num('alpha decay', s.alphaDecay),
      shift: num('shift', s.shift),
    },
    dataset,
  );
  if (s.init !== 'seed' && s.init !== 'he') throw new OptionError(`unknown init "${s.init}"`, 'choose seed or he');
  const sameAsExample =
    s.dataset === e.dataset && layers.join(',') === e.layers.join(',') && config.seed === e.seed;
  const weights =
    imported ?? initialWeights(config.layers, config.seed, sameAsExample ? e.weights : undefined, { bias: config.bias, init: s.init });
  return { config, dataset, ...(test ? { test } : {}), weights };
}
