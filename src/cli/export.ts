// `backprop export`: the run that `backprop train` would make with the same options, handed to
// PyTorch (--pytorch DIR: train.py, the data and the starting weights) and/or ONNX (--onnx FILE:
// the network with --load's weights). Nothing trains here; every target is checked before any is written.

import { join } from 'node:path';
import { encodeOnnx, ONNX_INPUT, onnxOutput } from '../export/onnx.js';
import { pytorchFiles } from '../export/pytorch.js';
import { dataFiles, resolveCliRun } from './data.js';
import type { CliIO } from './main.js';
import type { CliOptions } from './options.js';

/** 441 bytes, 13.7 kB, 25.3 MB. */
const size = (bytes: number): string => (bytes < 1e3 ? `${bytes} bytes` : bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

export async function runExport(argv: readonly string[], options: CliOptions, io: CliIO): Promise<number> {
  const reading = dataFiles(options.settings);
  if (options.pytorch !== undefined) await io.makeDirectory(options.pytorch, '--pytorch');
  if (options.onnx !== undefined) await io.checkWritable(options.onnx, reading, '--onnx');
  const { run, loaded } = await resolveCliRun(options.settings, options.load, io);
  const { config, dataset, test } = run;
  const weights = run.weights();

  if (options.pytorch !== undefined) {
    const dir = options.pytorch;
    const files = pytorchFiles({ config, dataset, test, weights, description: `backprop ${argv.join(' ')}` });
    for (const f of files) await io.checkWritable(join(dir, f.name), reading, '--pytorch');
    for (const f of files) await io.writeText(join(dir, f.name), f.bytes, '--pytorch');
    const bytes = files.reduce((sum, f) => sum + f.bytes.length, 0);
    io.out(`${join(dir, 'train.py')}: ${config.layers.join('-')} on ${dataset.name}, ${config.mode}${config.mode === 'batch' ? ` (batch ${config.batchSize})` : ''}, ` +
      `${files.length - 1} .npy files beside it (${size(bytes)} in all)`);
    io.out(`  python3 ${join(dir, 'train.py')}              (--float64 as --cpu, --processes 2 data parallel, --json)`);
  }
  if (options.onnx !== undefined) {
    const bytes = encodeOnnx({ ...config, weights });
    await io.writeText(options.onnx, bytes, '--onnx');
    const out = config.layers.at(-1)!;
    io.out(`${options.onnx}: input ${ONNX_INPUT} (batch, ${config.layers[0]}), output ${onnxOutput(config.loss)} (batch, ${out})${config.loss === 'softmax' ? ` and logits (batch, ${out})` : ''}, ${size(bytes.length)}`);
    if (!loaded) io.err(`backprop: note: no --load, so ${options.onnx} holds the untrained starting weights (train with --save w.safetensors, then export with --load w.safetensors)`);
  }
  return 0;
}
