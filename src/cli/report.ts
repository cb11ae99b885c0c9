// What the command prints: the seed's Error: lines (or JSON), a line per epoch for image data,
// and the summary of a finished run.

import { pyFloat } from '../train/format.js';
import type { TrainConfig } from '../train/config.js';
import type { Dataset } from '../data/dataset.js';
import type { TrainResult } from '../train/run.js';
import type { EpochReport } from '../train/types.js';

/** A float32 value as the shortest decimal that reads back as it; float64 values unchanged. */
export function shortest(x: number, float32: boolean): number {
  return float32 && Number.isFinite(x) ? Number(pyFloat(x, true)) : x;
}

/** "epoch 3/20: train accuracy 0.9712 (loss 0.0981), test accuracy 0.9531 (loss 0.1634)" */
export function describeEpoch(r: EpochReport, epochs: number): string {
  const test = r.testAccuracy !== undefined ? `, test accuracy ${r.testAccuracy.toFixed(4)} (loss ${r.testError!.toFixed(4)})` : '';
  return `epoch ${r.epoch + 1}/${epochs}: train accuracy ${r.trainAccuracy.toFixed(4)} (loss ${r.trainError.toFixed(4)})${test}`;
}

/** The summary of a finished run, as --json prints it. */
export function summary(
  result: TrainResult,
  config: TrainConfig,
  dataset: Dataset,
  run: { adapter: string | undefined; plan: string; save: string | undefined },
): Record<string, unknown> {
  const float32 = run.adapter !== undefined;
  const { last } = result;
  return {
    summary: true,
    backend: float32 ? 'gpu' : 'cpu',
    adapter: run.adapter ?? 'CPU reference (float64)',
    dataset: dataset.name,
    layers: config.layers,
    activation: config.activation,
    mode: config.mode,
    batchSize: config.batchSize,
    alpha: config.alpha,
    iterations: config.iterations,
    ...(float32 ? { plan: run.plan } : {}),
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
    ...(result.interrupted ? { interrupted: result.interrupted } : {}),
    ...(run.save !== undefined ? { saved: run.save } : {}),
    ...(result.warnings.length ? { warnings: result.warnings } : {}),
    ...(result.check ? { check: result.check } : {}),
  };
}

/** The lines on stderr after a run: what ran where, how long, and the check's outcome. */
export function closingLines(result: TrainResult, config: TrainConfig, dataset: Dataset, adapter: string): string[] {
  const lines = [
    `# ${config.layers.join('-')} on ${dataset.name}, ${config.mode}${config.mode === 'batch' ? ` (batch ${config.batchSize})` : ''}: ` +
      `${result.steps} steps in ${(result.timeMs / 1000).toFixed(2)} s on ${adapter}`,
  ];
  if (result.check) {
    const c = result.check;
    lines.push(
      `# GPU ${c.ok ? '=' : '≠'} CPU: largest weight difference ${c.maxDiff.toExponential(2)} (bound ${c.bound.toExponential(2)}), ` +
        `error per iteration within ${c.maxErrorDiff.toExponential(2)} relative`,
    );
  }
  for (const warning of result.warnings) lines.push(`backprop: warning: ${warning}`);
  return lines;
}
