// Runs compared on the page: whole runs without views for the three kinds of gradient descent from
// the same start and for the seed's argument for a hidden layer (3-1 stalls, a linear hidden layer
// gains nothing, a ReLU one learns), and the runs kept on the error chart.

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

/** A whole run's error per iteration, and the weights it ended with. */
export interface QuietRun {
  errors: number[];
  weights: Float32Array[] | Float64Array[];
}

/**
 * A whole run on the run engine: the GPU's teaching plan when there is one (a context without the
 * lab's edits: an edit is graded in its own runs), else the CPU reference.
 */
export async function trainQuietly(contextFor: ContextFor, config: TrainConfig, dataset: Dataset, weights: Float64Array[]): Promise<QuietRun> {
  // Nothing watches it between log points: the whole run in one chunk, one readback.
  const engine = await Engine.create({ config, dataset, weights, ctx: await contextFor(config, dataset), plan: 'teaching', showWeights: true });
  try {
    await engine.iterations(config.iterations);
    return { errors: engine.record.errors.map((e) => e.error), weights: await engine.readWeights() };
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
    const { errors } = await trainQuietly(contextFor, c, dataset, weights);
    curves.push({
      label: mode === 'batch' ? `mini-batch ${batchSize}` : `${mode} (batch ${c.batchSize})`,
      errors,
      color: PALETTE[(i + 3) % PALETTE.length]!,
      dash: true,
      updatesPerPass: Math.ceil(dataset.rows / c.batchSize),
    });
  }
  return curves;
}

/**
 * The three kinds compared in one sentence: which is lowest after the same number of passes over
 * the data, and which after the same number of updates (as many as full descent made).
 */
export function kindsTakeaway(kinds: readonly Curve[]): string {
  const passes = Math.min(...kinds.map((k) => k.errors.length));
  const rank = (at: (k: Curve) => number | undefined): string =>
    kinds
      .map((k) => ({ label: k.label, error: at(k) }))
      .filter((k): k is { label: string; error: number } => k.error !== undefined && Number.isFinite(k.error))
      .sort((a, b) => a.error - b.error)
      .map((k) => `${k.label} ${brief(k.error)}`)
      .join(', then ');
  const perPass = rank((k) => k.errors[passes - 1]);
  // After as many updates as full descent made (one a pass), a kind that makes u updates a pass has made passes / u passes.
  const perUpdate = rank((k) => {
    const pass = Math.floor(passes / (k.updatesPerPass ?? 1));
    return pass >= 1 ? k.errors[pass - 1] : undefined;
  });
  const why =
    perPass.startsWith('stochastic') && perUpdate.startsWith('full')
      ? ' Per pass, stochastic descent learns fastest as it updates most often; per update, full descent does, as each of its updates averages over every example.'
      : '';
  return `After ${passes} passes over the data the lowest error is ${perPass}. After the same ${passes} updates (full descent's count): ${perUpdate}.${why}`;
}

/** An error short enough for a sentence: 4 significant digits. */
function brief(error: number): string {
  return error !== 0 && Math.abs(error) < 1e-3 ? error.toExponential(3) : String(Number(error.toPrecision(4)));
}

/** The comparison's settings: full gradient descent from the seed's starting weights, long enough to settle. */
export const ARGUMENT = { alpha: 0.2, iterations: 300, seed: 1, mode: 'full' } as const;

export interface HiddenLayerArgument {
  /** Under full descent: no hidden layer, a linear hidden layer, a ReLU hidden layer. */
  curves: Curve[];
  ends: { single: number; linear: number; relu: number };
  /** A single layer trained as the seed's two-layer program is (stochastic, alpha 0.2, 60 iterations): where it stalls, and its final weights. */
  stall: { error: number; weights: ArrayLike<number> };
}

/**
 * The seed's argument: on the 4 streetlights no single light correlates, so 3-1 stalls and 3-4-1
 * learns; and a hidden layer without relu is no better than none.
 */
export async function hiddenLayerArgument(contextFor: ContextFor): Promise<HiddenLayerArgument> {
  const dataset = streetlights4();
  const runs = [
    { layers: [3, 1], activation: 'relu', label: '3-1: no hidden layer', color: PALETTE[1]! },
    { layers: [3, 4, 1], activation: 'linear', label: '3-4-1: linear hidden layer', color: PALETTE[2]! },
    { layers: [3, 4, 1], activation: 'relu', label: '3-4-1: ReLU hidden layer', color: PALETTE[0]! },
  ];
  const curves: Curve[] = [];
  for (const r of runs) {
    const config = resolveConfig({ ...ARGUMENT, layers: r.layers, activation: r.activation }, dataset);
    const { errors } = await trainQuietly(contextFor, config, dataset, seededWeights(r.layers, 1));
    // The linear curve dashed: it lies on the single layer's from the middle on.
    curves.push({ label: r.label, errors, color: r.color, dash: r.activation === 'linear' });
  }
  const [single, linear, relu] = curves.map((c) => c.errors.at(-1)!) as [number, number, number];
  const seed = resolveConfig({ layers: [3, 1], alpha: 0.2, iterations: 60, seed: 1 }, dataset);
  const stalled = await trainQuietly(contextFor, seed, dataset, seededWeights([3, 1], 1));
  return { curves, ends: { single, linear, relu }, stall: { error: stalled.errors.at(-1)!, weights: stalled.weights[0]! } };
}

/** The seed's argument for a hidden layer, drawn on its chart, with where each run ends and why. */
export async function showHiddenLayerArgument(contextFor: ContextFor): Promise<void> {
  const out = byId('correlation-result');
  out.dataset.state = 'training';
  out.textContent = 'Training the three networks…';
  let a: HiddenLayerArgument;
  try {
    a = await hiddenLayerArgument(contextFor);
  } catch (error) {
    out.dataset.state = 'failed';
    out.textContent = `The comparison could not be trained: ${(error as Error).message}`;
    return;
  }
  new ErrorChart(byId('correlation-chart'), 260).show(a.curves);
  out.dataset.single = String(a.ends.single);
  out.dataset.linear = String(a.ends.linear);
  out.dataset.hidden = String(a.ends.relu);
  clear(
    out,
    `Full gradient descent, alpha ${ARGUMENT.alpha}, ${ARGUMENT.iterations} passes from the seed's starting weights: no hidden layer ends at error `,
    h('strong', {}, pyFloat(a.ends.single, true)),
    ', a linear hidden layer at ',
    h('strong', {}, pyFloat(a.ends.linear, true)),
    ', a ReLU hidden layer at ',
    h('strong', {}, pyFloat(a.ends.relu, true)),
    '. Without relu the two layers are one: np.dot(np.dot(layer_0, weights_0_1), weights_1_2) = np.dot(layer_0, weights_0_1.dot(weights_1_2)), three weights again, so the linear net can reach only what a single layer can. relu lets a hidden unit be off for some examples and on for others: that is what makes the columns of the hidden dataset correlate.',
  );
  clear(byId('stall'), stallView(a.stall.error, a.stall.weights));
  out.dataset.state = 'done';
}

/** What the seed's 3-1 net predicts where it stalls, and why no single layer can do better. */
function stallView(error: number, w: ArrayLike<number>): HTMLElement {
  const dataset = streetlights4();
  const rows = Array.from({ length: dataset.rows }, (_, i) => {
    const x = Array.from(dataset.inputs.subarray(i * 3, i * 3 + 3));
    const prediction = x[0]! * w[0]! + x[1]! * w[1]! + x[2]! * w[2]!;
    return { x, goal: dataset.targets[i]!, prediction };
  });
  const sum = (goal: number): number => rows.filter((r) => r.goal === goal).reduce((a, r) => a + r.prediction, 0);
  const body = h('tbody');
  for (const r of rows) {
    body.append(
      h('tr', { 'data-goal': String(r.goal), 'data-prediction': String(r.prediction) }, h('th', { scope: 'row' }, `[${r.x.join(' ')}]`), h('td', {}, r.goal ? 'walk (1)' : 'stop (0)'), h('td', {}, r.prediction.toFixed(4)), h('td', {}, ((r.prediction - r.goal) ** 2).toFixed(4))),
    );
  }
  const total = rows.reduce((a, r) => a + (r.prediction - r.goal) ** 2, 0);
  body.append(h('tr', { class: 'net' }, h('th', { scope: 'row' }, 'all four'), h('td'), h('td'), h('td', { 'data-total': String(total) }, total.toFixed(4))));
  return h(
    'div',
    {},
    h('p', {}, `A single layer (3-1) trained as the lesson's two-layer program is (these four streetlights, stochastic, alpha 0.2, 60 iterations from seed 1) stalls at `, h('strong', {}, pyFloat(error, true)), `. Its weights at the end are [${Array.from(w, (v) => v.toFixed(4)).join(', ')}]; what they predict:`),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'what the single layer predicts' }, h('table', { class: 'pressure-table', id: 'stall-table' }, h('thead', {}, h('tr', {}, ...['example', 'goal', 'prediction', 'error'].map((t) => h('th', { scope: 'col' }, t)))), body)),
    h(
      'p',
      { id: 'stall-why', 'data-walk-sum': String(sum(1)), 'data-stop-sum': String(sum(0)) },
      `Why no single layer does better: every light is on in as many walk examples as stop examples, so whatever the three weights, the two walk predictions add up to what the two stop predictions add up to (here ${sum(1).toFixed(4)} and ${sum(0).toFixed(4)}). The best it can do is 0.5 for every example, error 4 × 0.5² = 1: where full descent ends. These weights do worse (${total.toFixed(4)}), and the run reports more still (${error.toFixed(4)}): stochastic descent measures each example before its own update, and with alpha fixed at 0.2 each update overshoots for the next example, so the weights circle that best fit instead of settling on it.`,
    ),
  );
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
