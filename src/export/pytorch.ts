// `backprop export --pytorch DIR` and the page's PyTorch zip: a readable train.py (src/export/train.py,
// with the run's settings written into its settings block) beside the run's data and starting
// weights as .npy files. It trains the same network from the same weights on the same batches with
// the same alpha and schedule, and prints the same lines; test/gpu/export.test.ts runs it in PyTorch.

import type { Dataset } from '../data/dataset.js';
import { encodeNpy } from '../data/npy.js';
import { parameterNames, parameterShapes, type TrainConfig } from '../train/config.js';
import template from './train.py?raw';

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
}

export interface PytorchExport {
  config: TrainConfig;
  dataset: Dataset;
  test?: Dataset | undefined;
  /** The starting weights: the matrices (in, out), then with biases one vector per layer. */
  weights: readonly ArrayLike<number>[];
  /** One line saying what run this is, for train.py's header (e.g. the command that exported it). */
  description: string;
}

/** A Python literal for a setting's value. */
function python(value: number | string | boolean | readonly number[]): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value.replace(/[\\']/g, '\\$&')}'`;
  if (typeof value === 'number') return String(value); // JavaScript's shortest round-trip digits read back the same in Python
  return `[${value.join(', ')}]`;
}

/** The settings block of train.py, name by name, as the run resolved them. */
function settings(e: PytorchExport): Record<string, number | string | boolean | readonly number[]> {
  const { config, dataset } = e;
  return {
    LAYERS: config.layers,
    ACTIVATION: config.activation,
    BIAS: config.bias,
    LOSS: config.loss,
    MODE: config.mode,
    BATCH_SIZE: config.batchSize,
    ALPHA: config.alpha,
    ALPHA_DECAY: config.alphaDecay,
    ITERATIONS: config.iterations,
    LOG_EVERY: config.logEvery,
    SEED: config.seed,
    SHUFFLE: config.shuffle,
    SHIFT: config.shift,
    IMAGE_WIDTH: dataset.imageWidth ?? 0,
    LABELLED: dataset.labels !== undefined,
  };
}

/** train.py with the run's settings: each `NAME = value   # comment` line of its settings block rewritten. */
export function trainPy(e: PytorchExport): string {
  let text = template.replace(/^# RUN: .*$/m, `# RUN: ${e.description.replace(/[\r\n]+/g, ' ')}`);
  for (const [name, value] of Object.entries(settings(e))) {
    const line = new RegExp(`^${name} = [^#\\n]*?( *#.*)?$`, 'm');
    if (!line.test(text)) throw new Error(`train.py has no ${name} setting`);
    text = text.replace(line, (_whole, comment: string | undefined) => `${name} = ${python(value)}`.padEnd(28) + (comment?.trimStart() ?? ''));
  }
  return text;
}

/**
 * Every file of the export: train.py, the data (inputs.npy, targets.npy, float32 as the GPU reads
 * them; test_inputs.npy and test_targets.npy where there is a test set) and the starting weights
 * (weights_0_1.npy, ..., bias_0_1.npy, ..., float64 so --float64 starts exactly where --cpu does).
 */
export function pytorchFiles(e: PytorchExport): ExportFile[] {
  const { config, dataset, test } = e;
  const files: ExportFile[] = [{ name: 'train.py', bytes: new TextEncoder().encode(trainPy(e)) }];
  const data = (prefix: string, d: Dataset): void => {
    files.push({ name: `${prefix}inputs.npy`, bytes: encodeNpy(d.inputs, [d.rows, d.inputSize]) });
    files.push({ name: `${prefix}targets.npy`, bytes: encodeNpy(d.targets, [d.rows, d.outputSize]) });
  };
  data('', dataset);
  if (test) data('test_', test);
  const shapes = parameterShapes(config.layers, config.bias);
  const matrices = config.layers.length - 1;
  parameterNames(config.layers, config.bias).forEach((name, i) => {
    const [rows, cols] = shapes[i]!;
    files.push({ name: `${name}.npy`, bytes: encodeNpy(e.weights[i]!, i < matrices ? [rows, cols] : [cols], 'float64') });
  });
  return files;
}
