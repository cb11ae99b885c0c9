// `backprop train`: options → dataset, network and config → a run on the GPU (or the CPU) → the
// seed's log lines, or JSON. Everything is checked before the GPU is asked for.

import { parseArgs, type ParseArgsConfig } from 'node:util';
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
  example as findExample,
  initialWeights,
  resolveConfig,
  type Mode,
} from '../train/config.js';
import { deviceNeeds } from '../train/gpuTrainer.js';
import { fitsResident } from '../train/residentTrainer.js';
import { PLAN_CHOICES, resolvePlan, type PlanChoice } from '../train/trainer.js';
import { errorLine, pyFloat } from '../train/format.js';
import { train } from '../train/run.js';
import { decodeWeightsJson, encodeWeightsJson } from '../data/weightsFile.js';
import { DeviceLostError, DivergenceError } from '../errors.js';
import type { Checkpoint } from '../train/run.js';
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
  --dataset <name|file> ${Object.keys(BUILTIN_DATASETS).join(', ')}, or a .csv file (inputs then targets per
                        row, optional header) or a .json file ({"inputs": [[...]], "targets": [[...]]})
  --mode <kind>         stochastic (update after each example), batch, or full (one update per pass)
  --batch-size <n>      examples per update in batch mode (default 32; implies --mode batch)
  --alpha <x>           learning rate
  --iterations <n>      passes over the dataset
  --seed <n>            np.random.seed for the initial weights
  --log-every <n>       print the error every n iterations (and after the last)
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

/** A built-in dataset by name, or a CSV or JSON file; CSV target columns come from the output layer size. */
async function loadDataset(spec: string, outputSize: number | undefined, io: CliIO): Promise<Dataset> {
  if (BUILTIN_DATASETS[spec]) return builtinDataset(spec);
  const lower = spec.toLowerCase();
  if (!lower.endsWith('.csv') && !lower.endsWith('.json')) {
    throw new OptionError(`unknown dataset "${spec}"`, `choose one of: ${Object.keys(BUILTIN_DATASETS).join(', ')}, or give a .csv or .json file`);
  }
  const text = await readFile(spec, io);
  return lower.endsWith('.csv') ? parseCsv(spec, text, outputSize ?? 1) : parseJsonDataset(spec, text);
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

  const example = findExample(values.example ?? DEFAULT_EXAMPLE);
  if (values.save !== undefined) await io.checkWritable(values.save);
  const loaded = values.load !== undefined ? decodeWeightsJson(values.load, await readFile(values.load, io)) : undefined;
  let givenLayers: Layers | undefined = values.layers !== undefined ? parseLayers(values.layers) : undefined;
  if (loaded && givenLayers && loaded.layers.join(',') !== givenLayers.join(',')) {
    throw new OptionError(`--load ${values.load} holds weights for layers ${loaded.layers.join(',')}, not ${givenLayers.join(',')}`);
  }
  givenLayers ??= loaded?.layers;
  const dataset = await loadDataset(values.dataset ?? example.dataset, givenLayers?.at(-1), io);
  const sameData = dataset.name === example.dataset;
  const layers = givenLayers ?? (sameData ? example.layers : [dataset.inputSize, 4, dataset.outputSize]);
  checkFits(dataset, layers);
  const mode = values.mode as Mode | undefined;
  if (mode !== undefined && !MODES.includes(mode)) {
    throw new OptionError(`unknown mode "${mode}"`, `choose one of: ${MODES.join(', ')}`);
  }
  const config = resolveConfig(
    {
      layers,
      mode,
      batchSize: number('batch-size', values['batch-size']),
      alpha: number('alpha', values.alpha) ?? example.alpha,
      iterations: number('iterations', values.iterations) ?? example.iterations,
      seed: number('seed', values.seed) ?? example.seed,
      logEvery: number('log-every', values['log-every']) ?? example.logEvery,
    },
    dataset,
  );
  const choice = (values.plan ?? 'auto') as PlanChoice;
  if (!PLAN_CHOICES.includes(choice)) throw new OptionError(`unknown plan "${choice}"`, `choose one of: ${PLAN_CHOICES.join(', ')}`);
  if (choice === 'resident' && !fitsResident(config.layers)) {
    throw new OptionError(`layers ${config.layers.join(',')} are too big for the resident plan`, 'use --plan fast');
  }
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
    const weights = loaded?.weights ?? initialWeights(config.layers, config.seed, fixed);
    const result = await train({
      config,
      dataset,
      weights,
      ctx,
      check: values.check ?? false,
      plan,
      onLog: (entry) => {
        if (values.json) io.out(JSON.stringify({ iteration: entry.iteration, error: shortest(entry.error, float32) }));
        else io.out(errorLine(entry.error, float32));
      },
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
