// Whole runs without views, for the charts that compare runs: the three kinds of gradient descent
// from the same start, and the seed's argument for a hidden layer (3-1 stalls, 3-4-1 learns).

import type { Dataset } from '../../data/dataset.js';
import type { GpuContext } from '../../gpu/context.js';
import { seededWeights } from '../../net/init.js';
import { resolveConfig, type Mode, type TrainConfig } from '../../train/config.js';
import { CpuExecutor } from '../../train/cpuExecutor.js';
import { GpuTrainer } from '../../train/gpuTrainer.js';
import { withoutShaderOverrides } from '../../gpu/pipeline.js';
import { streetlights4 } from '../../data/streetlights.js';
import { PALETTE, type Curve } from '../views/chart.js';

/** A context for a config (made again with higher limits if needed), or none for the CPU. */
export type ContextFor = (config: TrainConfig, dataset: Dataset) => Promise<GpuContext | undefined>;

/** A whole run's error per iteration: on the GPU when there is one, else on the CPU reference. */
export async function trainQuietly(contextFor: ContextFor, config: TrainConfig, dataset: Dataset, weights: Float64Array[]): Promise<number[]> {
  const ctx = await contextFor(config, dataset);
  if (!ctx) return new CpuExecutor(config, dataset, weights).runIterations(config.iterations).map((e) => e.error);
  // The comparison charts run the kernels of shaders/: an edit in the lab is graded in its own runs.
  return withoutShaderOverrides(async () => {
    const trainer = await GpuTrainer.create(ctx, config, dataset, weights);
    try {
      return (await trainer.runIterations(config.iterations)).map((e) => e.error);
    } finally {
      trainer.destroy();
    }
  });
}

/** Stochastic, mini-batch (of `batch`) and full gradient descent from the same start, as dashed curves. */
export async function threeKinds(contextFor: ContextFor, config: TrainConfig, dataset: Dataset, weights: Float64Array[], batch: number): Promise<Curve[]> {
  const kinds: [Mode, number | undefined][] = [
    ['stochastic', undefined],
    ['batch', batch],
    ['full', undefined],
  ];
  const curves: Curve[] = [];
  for (const [i, [mode, batchSize]] of kinds.entries()) {
    const c = resolveConfig({ ...config, mode, batchSize }, dataset);
    const errors = await trainQuietly(contextFor, c, dataset, weights);
    curves.push({
      label: mode === 'batch' ? `mini-batch ${batchSize}` : `${mode} (batch ${c.batchSize})`,
      errors,
      color: PALETTE[(i + 4) % PALETTE.length]!,
      dash: true,
      updatesPerPass: Math.ceil(dataset.rows / c.batchSize),
    });
  }
  return curves;
}

/** The seed's argument: on the 4 streetlights no single light correlates, so 3-1 stalls and 3-4-1 learns. */
export async function hiddenLayerArgument(contextFor: ContextFor): Promise<Curve[]> {
  const dataset = streetlights4();
  const results: Curve[] = [];
  for (const [layers, color] of [
    [[3, 1], PALETTE[1]!],
    [[3, 4, 1], PALETTE[0]!],
  ] as const) {
    const config = resolveConfig({ layers, alpha: 0.2, iterations: 60, seed: 1 }, dataset);
    const errors = await trainQuietly(contextFor, config, dataset, seededWeights(layers, 1));
    results.push({ label: layers.length === 2 ? '3-1: no hidden layer' : '3-4-1: hidden ReLU layer', errors, color });
  }
  return results;
}
