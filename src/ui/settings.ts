// The page's settings: what the CLI's options set, kept in the URL query so that a link
// reproduces a run (?example=two-layer&seed=1&mode=full&autorun=1). Every value is checked by
// the same resolver the CLI uses (train/resolve.ts).

import type { Dataset } from '../data/dataset.js';
import type { TrainTest } from '../data/idxSet.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { OptionError } from '../errors.js';
import { DEFAULT_ACTIVATION } from '../ops/activations/index.js';
import { DEFAULT_EXAMPLE, EXAMPLES, builtinDataset, example as findExample, type Mode } from '../train/config.js';
import type { DataSource, RunSettings } from '../train/resolve.js';
import { lookup } from '../lookup.js';

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
  activation: string;
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
    activation: e.activation ?? DEFAULT_ACTIVATION,
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
  activation: 'activation',
};
const FLAGS = { bias: 'bias', shuffle: 'shuffle' } as const;

/** Settings from a query string: the example's defaults, overridden by what the query names. */
export function settingsFromQuery(search: string): Settings {
  const query = new URLSearchParams(search);
  const name = query.get('example') ?? DEFAULT_EXAMPLE;
  const base = exampleSettings(lookup(EXAMPLES, name) ? name : DEFAULT_EXAMPLE);
  const out: Settings = { ...base };
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const value = query.get(key);
    if (value !== null && field !== 'example') (out as unknown as Record<string, string>)[field] = value;
  }
  if (!lookup(EXAMPLES, name)) out.example = name; // kept, so resolve() can say it is unknown
  for (const [field, key] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) {
    const value = query.get(key);
    if (value !== null) out[field] = value === '1';
  }
  out.autorun = query.get('autorun') === '1';
  return out;
}

/** The shortest query that reproduces the settings: only what differs from the example. */
export function queryFromSettings(s: Settings): string {
  const base = lookup(EXAMPLES, s.example) ? exampleSettings(s.example) : undefined;
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

/** Datasets the page has beyond the built-in ones: a file the user loaded; remote ones fetched once, on first use. */
export interface PageData {
  uploaded?: Dataset | undefined;
  /** Datasets fetched from the page's own origin (the embedded digits), by name. */
  remote: Record<string, () => Promise<TrainTest>>;
}

/** The page's data source for the run resolver: the upload, a remote set (fetched once), or a built-in one. */
export function pageDataSource(data: PageData, cache: Map<string, TrainTest>): DataSource {
  return {
    load: async (spec) => {
      if (data.uploaded && spec === data.uploaded.name) return { train: data.uploaded };
      const fetcher = lookup(data.remote, spec);
      if (fetcher) {
        if (!cache.has(spec)) cache.set(spec, await fetcher());
        return cache.get(spec)!;
      }
      if (lookup(BUILTIN_DATASETS, spec)) return { train: builtinDataset(spec) };
      throw new OptionError(`unknown dataset "${spec}"`, `choose one of: ${[...Object.keys(BUILTIN_DATASETS), ...Object.keys(data.remote)].join(', ')}, or load a file`);
    },
  };
}

/** The form's settings as the run resolver takes them: every field is said; a disabled batch size is not. */
export function runSettings(s: Settings): RunSettings {
  return {
    example: s.example,
    dataset: s.dataset,
    layers: s.layers,
    mode: s.mode,
    batchSize: s.mode === 'batch' && s.batchSize.trim() !== '' ? s.batchSize : undefined,
    alpha: s.alpha,
    iterations: s.iterations,
    seed: s.seed,
    logEvery: s.logEvery,
    loss: s.loss,
    bias: s.bias,
    shuffle: s.shuffle,
    init: s.init,
    alphaDecay: s.alphaDecay,
    shift: s.shift,
    activation: s.activation,
  };
}
