// `backprop train`: options → the run resolver (dataset, network, config) → a run on the GPU (or
// the CPU) → the seed's log lines, or JSON. Everything is checked before the GPU is asked for.

import { encodeWeightsSafetensors } from '../data/safetensors.js';
import { encodeWeightsJson } from '../data/weightsFile.js';
import { encodeOnnx } from '../export/onnx.js';
import { DeviceLostError, DivergenceError, InterruptedError, MismatchError, OptionError } from '../errors.js';
import type { DeviceNeeds, GpuContext } from '../gpu/context.js';
import { createNodeGpuContext } from '../gpu/node.js';
import { commandChoices } from '../gpu/nodeChoices.js';
import { errorLine } from '../train/format.js';
import type { TrainConfig } from '../train/config.js';
import { deviceNeeds } from '../train/gpuBuffers.js';
import { describeCheckpoint, lastCheckpoint } from '../train/divergence.js';
import { train, type TrainRun } from '../train/run.js';
import type { Checkpoint } from '../train/types.js';
import { resolvePlan } from '../train/trainer.js';
import pkg from '../../package.json' with { type: 'json' };
import { dataFiles, resolveCliRun } from './data.js';
import { runExport } from './export.js';
import type { CliIO } from './main.js';
import { parseOptions, USAGE, type CliOptions } from './options.js';
import { Interrupts } from './interrupts.js';
import { ProgressBar } from './progress.js';
import { closingLines, describeEpoch, shortest, summary } from './report.js';

export { USAGE } from './options.js';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const options = parseOptions(argv);
  if (options.version) {
    io.out(pkg.version);
    return 0;
  }
  const { command } = options;
  if (options.help || command === 'help' || command === undefined) {
    io.out(USAGE);
    return command === undefined && !options.help ? 2 : 0;
  }
  if (command === 'export') return runExport(argv, options, io);
  if (command !== 'train') throw new OptionError(`unknown command "${command}"`, 'the commands are: backprop train [options], backprop export [options]');
  return runTrain(options, io);
}

/** The file --save names, in the format its extension says. */
function encodeSaved(path: string, config: TrainConfig, weights: readonly ArrayLike<number>[]): Uint8Array | string {
  // .safetensors (as torch's state_dict names them), .onnx (the forward pass), else the JSON weights file.
  if (/\.safetensors$/i.test(path)) return encodeWeightsSafetensors(config.layers, weights);
  if (/\.onnx$/i.test(path)) return encodeOnnx({ ...config, weights });
  return encodeWeightsJson(config.layers, weights);
}

/** "after step 1,200 of 2,400 (5 of 10 iterations complete)". */
function howFar(interrupted: { steps: number; iterations: number }, config: TrainConfig, rows: number): string {
  const total = config.iterations * Math.ceil(rows / config.batchSize);
  return `after step ${interrupted.steps.toLocaleString('en')} of ${total.toLocaleString('en')} (${interrupted.iterations.toLocaleString('en')} of ${config.iterations.toLocaleString('en')} iterations complete)`;
}

/** What the command prints as the run goes: the seed's Error: lines (or JSON), or an epoch line each, and a progress bar. */
function printed(options: CliOptions, io: CliIO, config: TrainConfig, classifying: boolean, float32: boolean, bar: ProgressBar | undefined): Pick<TrainRun, 'onLog' | 'onEpoch' | 'onProgress'> {
  return {
    onLog: (entry) => {
      if (classifying) return; // reported per epoch, with the test set
      if (options.json) io.out(JSON.stringify({ iteration: entry.iteration, error: shortest(entry.error, float32) }));
      else io.out(errorLine(entry.error, float32));
    },
    onEpoch: (report) => {
      bar?.clear();
      io.out(options.json ? JSON.stringify(report) : describeEpoch(report, config.iterations));
    },
    ...(bar ? { onProgress: (done: number, total: number) => bar.update(done, total) } : {}),
  };
}

/** For trying recovery by hand: BACKPROP_SIMULATE_DEVICE_LOSS=N loses the device once, at the first checkpoint after N iterations. */
function simulatedLoss(): TrainRun['onCheckpoint'] {
  const at = Number(process.env.BACKPROP_SIMULATE_DEVICE_LOSS ?? NaN);
  let done = false;
  return (checkpoint, current) => {
    if (done || !current || !(checkpoint.iteration >= at)) return;
    done = true;
    current.device.destroy();
  };
}

/** A device for the command; the matmul variant measured fastest per shape is kept in a cache file for later runs. */
async function commandContext(needs: DeviceNeeds, io: CliIO): Promise<GpuContext> {
  const made = await (io.gpu ? io.gpu(needs) : createNodeGpuContext(needs));
  const store = commandChoices();
  if (store) made.kernelChoices = store;
  return made;
}

/** `backprop train`: resolve the run, ask for the device, train through train(), report, save. */
async function runTrain(options: CliOptions, io: CliIO): Promise<number> {
  if (options.save !== undefined) await io.checkWritable(options.save, dataFiles(options.settings));
  const { run } = await resolveCliRun(options.settings, options.load, io);
  const { config, dataset, test } = run;
  const plan = resolvePlan(options.plan, config);
  const needs = deviceNeeds(config, dataset);
  // The device is asked for before any weights are made: a network too big for it is refused
  // here, naming the limit, without allocating it on the CPU first.
  const gpuContext = (): Promise<GpuContext> => commandContext(needs, io);
  let ctx = options.cpu ? undefined : await gpuContext();
  const float32 = ctx !== undefined;
  const save = async (weights: readonly ArrayLike<number>[]): Promise<void> => {
    if (options.save !== undefined) await io.writeText(options.save, encodeSaved(options.save, config, weights));
  };
  const classifying = dataset.labels !== undefined;
  const bar = !options.json && classifying && io.isTerminal ? new ProgressBar(io, config.iterations) : undefined;
  // Any line on stderr first clears the progress bar, so it is never left half-drawn before it.
  const interrupts = new Interrupts((line) => {
    bar?.clear();
    io.err(line);
  }).listen();
  const stopped = (): InterruptedError => {
    const signal = interrupts.received!;
    return new InterruptedError(signal, `stopped by ${signal} before training began; nothing was trained or saved`);
  };
  try {
    if (interrupts.received) throw stopped();
    const result = await train({
      config,
      dataset,
      test,
      weights: run.weights(),
      ctx,
      check: options.check,
      plan,
      keepErrors: false,
      shouldStop: () => interrupts.received !== undefined,
      ...printed(options, io, config, classifying, float32, bar),
      onCheckpoint: simulatedLoss(),
      recover: async () => {
        ctx?.destroy();
        ctx = await gpuContext();
        return ctx;
      },
      onRecover: (lost, checkpoint) => {
        io.err(`backprop: ${lost.message}; resuming from ${describeCheckpoint(checkpoint)} on a new device`);
      },
    });
    bar?.clear();
    ctx = result.ctx ?? ctx;
    await save(result.weights);
    const adapter = ctx?.adapterName;
    if (options.json) io.out(JSON.stringify(summary(result, config, dataset, { adapter, plan, save: options.save })));
    else for (const line of closingLines(result, config, dataset, adapter ?? 'CPU reference (float64)')) io.err(line);
    if (result.interrupted) {
      throw new InterruptedError(
        interrupts.received!,
        `stopped by ${interrupts.received} ${howFar(result.interrupted, config, dataset.rows)}; ` + (options.save !== undefined ? `the weights then are saved in ${options.save}` : 'nothing saved (no --save)'),
        options.save !== undefined ? `go on with --load ${options.save}` : undefined,
      );
    }
    if (result.check && !result.check.ok) {
      throw new MismatchError(`the GPU and the CPU reference disagree: ${result.check.firstFailure}`);
    }
    return 0;
  } catch (error) {
    bar?.clear();
    // A diverged run or a device lost for good: keep the last good weights where --save asked.
    const checkpoint: Checkpoint | undefined = lastCheckpoint(error);
    if ((error instanceof DivergenceError || error instanceof DeviceLostError) && checkpoint && options.save !== undefined) {
      await save(checkpoint.weights);
      io.err(`backprop: ${describeCheckpoint(checkpoint)}, the last read back before this, are saved in ${options.save}`);
    }
    throw error;
  } finally {
    interrupts.dispose();
    ctx?.destroy();
  }
}
