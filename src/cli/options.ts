// The `backprop train` options: their table, --help, and parsing argv into the run's settings
// (checked later by the one resolver the page uses too) and the command's own switches.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { OptionError } from '../errors.js';
import { ACTIVATIONS, DEFAULT_ACTIVATION } from '../ops/activations/index.js';
import { DEFAULT_EXAMPLE, EXAMPLES } from '../train/config.js';
import type { RunSettings } from '../train/resolve.js';
import { PLAN_CHOICES, type PlanChoice } from '../train/trainer.js';
import { lookup } from '../lookup.js';

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
  activation: { type: 'string' },
  'alpha-decay': { type: 'string' },
  shift: { type: 'string' },
  bias: { type: 'boolean' },
  'no-bias': { type: 'boolean' },
  shuffle: { type: 'boolean' },
  'no-shuffle': { type: 'boolean' },
  init: { type: 'string' },
  save: { type: 'string' },
  load: { type: 'string', multiple: true },
  plan: { type: 'string' },
  pytorch: { type: 'string' },
  onnx: { type: 'string' },
  check: { type: 'boolean' },
  cpu: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

export const USAGE = `Usage: backprop train [options]
       backprop export --pytorch <dir> | --onnx <file> [train's options] [--load <file>]

Trains a neural network with gradient descent and backpropagation on the GPU (WebGPU compute
shaders through Dawn), as the lesson's numpy does. With no options it runs the seed's two-layer
program and prints what numpy prints: Error:<value> every 10 iterations.

Options:
  --example <name>      ${Object.entries(EXAMPLES)
    .map(([name, e]) => `${name}: ${e.description}`)
    .join('\n                        ')}
                        (default ${DEFAULT_EXAMPLE})
  --layers <sizes>      layer sizes, input first: 3,1 or 3,4,1 or 784,128,10 (activation between, linear out)
  --activation <name>   the hidden layers' activation: ${Object.keys(ACTIVATIONS).join(', ')} (default ${DEFAULT_ACTIVATION},
                        the seed's; each with its derivative from the layer's output, as relu2deriv)
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
  --save <file>         write the trained weights: .json, .safetensors (PyTorch's state_dict names)
                        or .onnx (the forward pass, for ONNX Runtime); also the last good weights if
                        the run diverges or the GPU is lost for good
  --load <file>         start from weights saved by --save or exported by the page: a weights .json,
                        or the .npy files, one per matrix (--load weights_0_1.npy --load weights_1_2.npy;
                        float16/32/64, either byte order, C or Fortran order)
  --plan <plan>         how the GPU trains: auto (default: resident for small networks, else fast),
                        fast (fused register-blocked kernels), resident (a small network's whole
                        loop in one invocation), teaching (one dispatch per line of numpy, as the
                        page steps through it)
  --check               compare the GPU with the float64 CPU reference after every step
  --cpu                 train on the CPU reference only (float64, no GPU needed)
  --json                one JSON object per logged iteration, then a summary object
  -h, --help            this help
  -v, --version         the version

backprop export takes train's options (the network, data, kind of descent and schedule) and writes:
  --pytorch <dir>       train.py, the same run in PyTorch (python3 train.py; --processes N for
                        DistributedDataParallel on gloo; --float64 as --cpu), beside the data and the
                        starting weights as .npy files (the run's seeded ones, or --load's)
  --onnx <file>         the network as an ONNX model (MatMul, Add, Relu/Sigmoid/Tanh, Softmax): input
                        layer_0, output prediction or probabilities; its weights are --load's
                        (a trained network: backprop train --save w.safetensors, then --load w.safetensors)

GPU values are float32 and print as the shortest decimal that reads back as the same float32;
--cpu prints float64 values, digit for digit what numpy prints.
With image data (mnist, an IDX directory) an iteration is an epoch: each prints the training
and test accuracy (a progress bar runs on a terminal). Defaults for image data: layers
<inputs>,128,64,<classes>, softmax, biases, He init, batch 32, shuffled, alpha 0.15 decaying by
0.9 per epoch, 20 epochs
(mnist: alpha 0.1 decaying by 0.95, images shifted by up to 1 pixel, 30 epochs).
Without a GPU, Dawn uses SwiftShader from Debian's chromium package (apt-get install chromium libvulkan1).
If the GPU device is lost the run goes on from the last weights read back on a new device.`;

/** What the command line asked for: the run's settings and the command's own switches. */
export interface CliOptions {
  command: string | undefined;
  help: boolean;
  version: boolean;
  settings: RunSettings;
  save?: string | undefined;
  /** export: the directory for train.py and its .npy files. */
  pytorch?: string | undefined;
  /** export: the .onnx file. */
  onnx?: string | undefined;
  load?: string[] | undefined;
  plan: PlanChoice;
  check: boolean;
  cpu: boolean;
  json: boolean;
}

export function parseOptions(argv: string[]): CliOptions {
  const { values, positionals } = parse(argv);
  const command = positionals[0];
  if (positionals.length > 1) throw new OptionError(`unexpected argument "${positionals[1]}"`, 'see backprop --help');
  const flag = (name: 'bias' | 'shuffle'): boolean | undefined => {
    const on = values[name];
    const off = values[`no-${name}`];
    if (on && off) throw new OptionError(`--${name} and --no-${name} contradict each other`);
    return on ? true : off ? false : undefined;
  };
  const plan = (values.plan ?? 'auto') as PlanChoice;
  if (!PLAN_CHOICES.includes(plan)) throw new OptionError(`unknown plan "${plan}"`, `choose one of: ${PLAN_CHOICES.join(', ')}`);
  if (command === 'export') {
    for (const name of ['save', 'plan', 'check', 'cpu', 'json'] as const) {
      if (values[name] !== undefined) throw new OptionError(`--${name} is an option of backprop train; backprop export trains nothing`, 'give --pytorch <dir> or --onnx <file>');
    }
    if (values.pytorch === undefined && values.onnx === undefined) throw new OptionError('backprop export needs --pytorch <dir> or --onnx <file> (or both)', 'see backprop --help');
  } else {
    for (const name of ['pytorch', 'onnx'] as const) {
      if (values[name] !== undefined) throw new OptionError(`--${name} is an option of backprop export`, `backprop export --${name} ${values[name]} [the same options]`);
    }
  }
  if (values.check && values.cpu) throw new OptionError('--check compares the GPU with the CPU reference, so it cannot be combined with --cpu');
  return {
    command,
    help: values.help ?? false,
    version: values.version ?? false,
    settings: {
      example: values.example,
      dataset: values.dataset,
      layers: values.layers,
      mode: values.mode,
      batchSize: values['batch-size'],
      alpha: values.alpha,
      iterations: values.iterations,
      seed: values.seed,
      logEvery: values['log-every'],
      loss: values.loss,
      bias: flag('bias'),
      shuffle: flag('shuffle'),
      init: values.init,
      alphaDecay: values['alpha-decay'],
      shift: values.shift,
      activation: values.activation,
    },
    save: values.save,
    pytorch: values.pytorch,
    onnx: values.onnx,
    load: values.load,
    plan,
    check: values.check ?? false,
    cpu: values.cpu ?? false,
    json: values.json ?? false,
  };
}

function parse(argv: string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>> {
  // parseArgs reads "--seed -1" as a missing value; a negative number after an option is its value.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : undefined;
    const next = argv[i + 1];
    const takesValue = name !== undefined && lookup(OPTIONS as Record<string, { type: string }>, name)?.type === 'string';
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
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take an argument/.test(e.message)) {
      const name = option?.split('=')[0] ?? 'this option';
      const negated = `no-${name.slice(2)}` in OPTIONS;
      throw new OptionError(`option ${name} takes no value`, negated ? `give ${name} for on, --no-${name.slice(2)} for off` : `give ${name} to turn it on; leave it out for off`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new OptionError(`option ${option ?? ''} needs a value`.replace('  ', ' '), 'see backprop --help');
    }
    throw new OptionError(e.message, 'see backprop --help');
  }
}
