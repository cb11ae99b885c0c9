// Runs compared on the page: whole runs without views for the three kinds of gradient descent from
// the same start and for the seed's argument for a hidden layer (3-1 stalls, 3-4-1 learns), and the
// runs kept on the error chart.

import type { Dataset } from '../../data/dataset.js';
import type { GpuContext } from '../../gpu/context.js';
import { seededWeights } from '../../net/init.js';
import { resolveConfig, type Mode, type TrainConfig } from '../../train/config.js';
import { Engine } from '../../train/engine.js';

import { streetlights4 } from '../../data/streetlights.js';
import { ErrorChart, PALETTE, type Curve } from '../views/chart.js';
import { byId, clear, h } from '../dom.js';
import { pyFloat } from '../../train/format.js';
import type { Lesson } from './lesson.js';

/** A context for a config (made again with higher limits if needed), or none for the CPU. */
export type ContextFor = (config: TrainConfig, dataset: Dataset) => Promise<GpuContext | undefined>;

/**
 * A whole run's error per iteration, on the run engine: the GPU's teaching plan when there is one
 * (a context without the lab's edits: an edit is graded in its own runs), else the CPU reference.
 */
export async function trainQuietly(contextFor: ContextFor, config: TrainConfig, dataset: Dataset, weights: Float64Array[]): Promise<number[]> {
  // Nothing watches it between log points: the whole run in one chunk, one readback.
  const engine = await Engine.create({ config, dataset, weights, ctx: await contextFor(config, dataset), plan: 'teaching', showWeights: true });
  try {
    await engine.iterations(config.iterations);
    return engine.record.errors.map((e) => e.error);
  } finally {
    await engine.close();
  }
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

/** The seed's argument for a hidden layer, drawn on its chart with the two errors it ends at. */
export async function showHiddenLayerArgument(contextFor: ContextFor): Promise<void> {
  const results = await hiddenLayerArgument(contextFor);
  new ErrorChart(byId('correlation-chart'), 200).show(results);
  const [one, two] = results.map((r) => r.errors.at(-1)!);
  const out = byId('correlation-result');
  out.dataset.single = String(one);
  out.dataset.hidden = String(two);
  clear(out, 'After 60 iterations the single-layer net is stuck at error ', h('strong', {}, pyFloat(one!, true)), ' while the two-layer net reaches ', h('strong', {}, pyFloat(two!, true)), '.');
}

/** Runs kept on the error chart, dashed, so the next one can be compared with them: reset runs, and the three kinds of descent. */
export class ComparedRuns {
  curves: Curve[] = [];
  /** Runs made so far: each is named by its number. */
  runs = 0;

  /** "#3 3-4-1 mini-batch 2 α0.2": the current run's name. */
  label(config: TrainConfig): string {
    const mode = config.mode === 'batch' ? `mini-batch ${config.batchSize}` : `${config.mode} (batch ${config.batchSize})`;
    return `#${this.runs} ${config.layers.join('-')} ${mode} α${config.alpha}${config.activation === 'relu' ? '' : ` ${config.activation}`}`;
  }

  /** A run that is reset stays on the chart (the last 7). */
  keep(lesson: Lesson): void {
    const curve = lesson.keptCurve?.(this.label(lesson.config), PALETTE[(this.curves.length + 1) % PALETTE.length]!);
    if (!curve) return;
    this.curves.push(curve);
    if (this.curves.length > 7) this.curves.shift();
  }

  /** The three kinds of descent, in place of the ones compared before. */
  setKinds(kinds: Curve[]): void {
    this.curves = [...this.curves.filter((k) => !/^(stochastic|full|mini-batch)\b/.test(k.label)), ...kinds];
  }

  clear(): void {
    this.curves = [];
  }
}
