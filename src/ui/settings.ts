// The page's settings: what the CLI's options set, kept in the URL query so that a link
// reproduces a run (?example=two-layer&seed=1&mode=full&autorun=1). Every value is checked by
// the same code the CLI uses.

import { checkFits, type Dataset } from '../data/dataset.js';
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
  autorun: boolean;
}

/** The settings of an example, as the CLI runs it with no other options. */
export function exampleSettings(name: string): Settings {
  const e = findExample(name);
  return {
    example: name,
    dataset: e.dataset,
    layers: e.layers.join(','),
    mode: 'stochastic',
    batchSize: '',
    alpha: String(e.alpha),
    iterations: String(e.iterations),
    seed: String(e.seed),
    logEvery: String(e.logEvery),
    autorun: false,
  };
}

const KEYS: Record<Exclude<keyof Settings, 'autorun'>, string> = {
  example: 'example',
  dataset: 'dataset',
  layers: 'layers',
  mode: 'mode',
  batchSize: 'batch',
  alpha: 'alpha',
  iterations: 'iterations',
  seed: 'seed',
  logEvery: 'log',
};

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
  if (s.autorun) query.set('autorun', '1');
  return `?${query.toString()}`;
}

export interface Resolved {
  config: TrainConfig;
  dataset: Dataset;
  weights: Float64Array[];
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
export function resolve(s: Settings, uploaded?: Dataset, imported?: Float64Array[]): Resolved {
  const e = findExample(s.example);
  let dataset: Dataset;
  if (uploaded && s.dataset === uploaded.name) dataset = uploaded;
  else if (BUILTIN_DATASETS[s.dataset]) dataset = builtinDataset(s.dataset);
  else throw new OptionError(`unknown dataset "${s.dataset}"`, `choose one of: ${Object.keys(BUILTIN_DATASETS).join(', ')}, or load a file`);
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
    },
    dataset,
  );
  const sameAsExample =
    dataset.name === e.dataset && layers.join(',') === e.layers.join(',') && config.seed === e.seed;
  const weights = imported ?? initialWeights(config.layers, config.seed, sameAsExample ? e.weights : undefined);
  return { config, dataset, weights };
}
