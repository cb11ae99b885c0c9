// The seed's lesson: a Session (the GPU trainer and its CPU shadow) and its views: the plan
// dispatch by dispatch, the error chart, the weights and the pressure table, the log.

import type { Dataset } from '../../data/dataset.js';
import type { GpuContext } from '../../gpu/context.js';
import { shaderFiles } from '../../gpu/shader.js';
import { weightShape, weightsName } from '../../net/spec.js';
import { activationOf } from '../../ops/activations/index.js';
import type { TrainConfig } from '../../train/config.js';
import { errorLine } from '../../train/format.js';
import { deadUnits, lessonPressure, pressure } from '../../train/pressure.js';
import { hiddenDataset } from '../../train/hiddenDataset.js';
import { isLogged } from '../../train/divergence.js';
import { byId, clear, h, short } from '../dom.js';
import { gradeDispatch } from '../grading.js';
import { Session } from '../session.js';
import { PALETTE, type Curve, type ErrorChart } from '../views/chart.js';
import { dispatchDetail, planList } from '../views/dispatch.js';
import { heatmap } from '../views/heatmap.js';
import { pressureView, unitNames } from '../views/pressure.js';
import { hiddenDatasetView } from '../views/hiddenDataset.js';
import { networkDiagram, networkLegend } from '../views/network.js';
import type { Grading, Lesson, StepTimings } from './lesson.js';

/** What the seed lesson draws into that outlives one run: the chart, and the runs kept on it. */
export interface SeedViews {
  chart: ErrorChart;
  kept: () => readonly Curve[];
  label: (config: TrainConfig) => string;
}

export class SeedLesson implements Lesson {
  readonly cards = ['step-card', 'seed-views', 'overfit-card', 'hidden-card', 'error-card', 'correlation-card', 'lab-card'];
  readonly dispatchStepping = { ok: true } as const;
  readonly takesEdits = true;

  private constructor(
    readonly session: Session,
    private readonly views: SeedViews,
  ) {}

  static async create(config: TrainConfig, dataset: Dataset, weights: Float64Array[], ctx: GpuContext | undefined, views: SeedViews, grade = true): Promise<SeedLesson> {
    return new SeedLesson(await Session.create(config, dataset, weights, ctx, grade), views);
  }

  get config(): TrainConfig {
    return this.session.config;
  }

  get done(): boolean {
    return this.session.done;
  }

  get onGpu(): boolean {
    return this.session.onGpu;
  }

  get compiledFiles(): ReadonlySet<string> {
    const s = this.session;
    if (!s.onGpu) return new Set();
    return new Set(s.plan.steps.flatMap((step) => shaderFiles(step.source)));
  }

  get steppingBack(): { ok: true } | { ok: false; why: string } {
    return this.session.lastDispatch?.back ?? { ok: false, why: 'Step a dispatch first: Step back puts back what it wrote.' };
  }

  get weights(): Float32Array[] | Float64Array[] {
    return this.session.weights;
  }

  run(render: () => void, frame: () => Promise<void>): Promise<void> {
    return this.session.runToEnd(render, frame);
  }

  async stepIteration(): Promise<void> {
    await this.session.runIteration();
  }

  async stepDispatch(): Promise<void> {
    await this.session.runDispatch();
  }

  stepBack(): Promise<void> {
    return this.session.stepBack();
  }

  pause(): void {
    this.session.pause();
  }

  get checkpointIteration(): number {
    return this.session.checkpoint.iteration;
  }

  resume(ctx: GpuContext): Promise<void> {
    return this.session.resume(ctx);
  }

  timeStep(): Promise<StepTimings> {
    return this.session.timeStep();
  }

  keptCurve(label: string, color: string): Curve | undefined {
    const s = this.session;
    if (s.trace.length === 0) return undefined;
    return { label, errors: s.trace.map((e) => e.error), updatesPerPass: s.batches, color, dash: true };
  }

  grading(): Grading {
    const s = this.session;
    return { failure: s.failure, ok: s.check.ok, iterations: s.trace.length, graded: !s.ungraded };
  }

  close(): Promise<void> {
    return this.session.close();
  }

  announce(): string {
    const s = this.session;
    const c = s.check;
    const check = !s.onGpu ? 'computed by the CPU reference' : c.ok ? 'GPU equals CPU' : s.failure ? `GPU differs from CPU at dispatch ${s.failure.view.index + 1}` : 'GPU differs from CPU';
    const last = s.trace.at(-1)?.error;
    const d = s.lastDispatch;
    if (s.done) return `Done: ${s.config.iterations} iterations, error ${last === undefined ? 'none' : short(last)}; ${check}.`;
    if (d && d.index + 1 < s.plan.steps.length) {
      const largest = Math.max(0, ...d.written.map((b) => b.maxDiff));
      const wrote = d.written.map((b) => `${b.name} (${b.rows} by ${b.cols})`).join(' and ');
      // This dispatch's own values, held to the lab's grading tolerance: the weights' check (above)
      // compares only at the end of a batch, and an ungraded edit can be wrong before then.
      const wrong = s.onGpu ? gradeDispatch(d) : undefined;
      const verdict = !s.onGpu ? check : wrong ? `GPU differs from CPU in ${wrong.buffer}: ${wrong.count} of ${wrong.diff.length} values` : 'GPU equals CPU';
      return `Dispatch ${d.index + 1} of ${s.plan.steps.length}: ${d.step.numpy}. Wrote ${wrote}; ${verdict}${s.onGpu ? `, largest difference ${short(largest)}` : ''}.`;
    }
    const where = s.where;
    return `Iteration ${where.iteration + 1} of ${s.config.iterations}, batch ${where.batch + 1}: error ${last === undefined ? 'not yet measured' : short(last)}; ${check}.`;
  }

  /** The run so far: errors from the GPU and from the reference, and the check's outcome. */
  trace(): Record<string, unknown> {
    const s = this.session;
    return {
      layers: s.config.layers,
      activation: s.config.activation,
      mode: s.config.mode,
      batchSize: s.config.batchSize,
      alpha: s.config.alpha,
      steps: s.where.steps,
      errors: s.trace,
      reference: s.referenceTrace,
      check: s.onGpu ? s.check : undefined,
    };
  }

  /**
   * When the error has not moved for 10 iterations and equals Σ goal² (what predicting 0 for every
   * example costs), every hidden ReLU has died: say so under the chart.
   */
  private explainStuck(): void {
    const s = this.session;
    const el = byId('stuck');
    const last = s.trace.at(-1)?.error;
    let goal2 = 0;
    for (const t of s.dataset.targets) goal2 += t * t;
    const flat = s.trace.length >= 10 && s.trace.slice(-10).every((e) => e.error === last);
    const atZero = last !== undefined && Math.abs(last - goal2) <= 1e-6 * Math.max(1, goal2);
    el.hidden = !(flat && atZero && s.config.layers.length > 2 && s.config.activation === 'relu');
    if (!el.hidden) {
      el.textContent =
        `The error has stayed at ${short(last!)} = Σ goal², what predicting 0 for every example costs: every hidden ReLU unit has died. ` +
        `Its sum is below 0 for every example, so relu outputs 0, relu2deriv passes nothing back, and no weight moves again. ` +
        `A step as large as alpha ${s.config.alpha} pushed them there: try a smaller alpha.`;
    }
  }

  render(): void {
    const s = this.session;
    clear(
      byId('what-to-do'),
      ...(s.done
        ? ['Trained: the chart shows how the error fell. Press ', h('strong', {}, 'Reset'), ' to train again from the same start and step through it, or change a setting to try another run.']
        : [
            'Press ',
            h('strong', {}, 'Run'),
            ' to train the network: the error chart falls as the weights learn. ',
            h('strong', {}, 'Step dispatch'),
            ' runs one GPU kernel at a time and shows what it did. Change any setting below to start again.',
          ]),
    );
    const where = s.where;
    const position = byId('position');
    const batches = s.batches;
    position.dataset.steps = String(where.steps);
    position.dataset.lastError = String(s.trace.at(-1)?.error ?? '');
    const updates = `${where.steps} ${where.steps === 1 ? 'update' : 'updates'}`;
    position.textContent = s.done
      ? `done: ${s.config.iterations} iterations of ${batches} ${batches === 1 ? 'batch' : 'batches'} · ${updates}`
      : `iteration ${where.iteration + 1} of ${s.config.iterations} · batch ${where.batch + 1} of ${batches} · ${updates}`;
    this.explainStuck();

    const checkBadge = byId('check');
    if (s.onGpu) {
      const c = s.check;
      checkBadge.dataset.ok = String(c.ok);
      checkBadge.dataset.maxDiff = String(c.maxDiff);
      // The bound is 0 until the first comparison: before it, nothing has been compared to claim.
      const compared = c.bound > 0 || !c.ok;
      checkBadge.dataset.compared = String(compared);
      checkBadge.textContent =
        (!compared
          ? 'GPU and CPU start from the same weights: nothing compared yet'
          : c.ok
          ? `GPU = CPU · largest |Δw| ${short(c.maxDiff)} (bound ${short(c.bound)})`
          : s.failure
            ? `GPU ≠ CPU at dispatch ${s.failure.view.index + 1}: ${s.failure.view.step.numpy}`
            : s.loopStopped
              ? `stopped: ${s.loopStopped} ran away`
              : `GPU ≠ CPU beyond the tolerance`) + (s.ungraded && !s.loopStopped ? ' · not stopped: grading is off' : '');
      checkBadge.dataset.graded = String(!s.ungraded);
      if (s.failure) checkBadge.dataset.dispatch = String(s.failure.view.index + 1);
      else delete checkBadge.dataset.dispatch;
      checkBadge.title = c.detail ?? 'Every step is shadowed by the float64 CPU reference; the weights are compared after each chunk of iterations (a stepped batch at its end, a graded run after every dispatch), within a bound that grows with the steps.';
      // Green only once something has been compared and agreed.
      checkBadge.className = compared ? `badge ${c.ok ? 'ok' : 'bad'}` : 'badge';
    } else {
      checkBadge.dataset.ok = 'cpu-only';
      checkBadge.textContent = 'CPU reference only';
      checkBadge.className = 'badge';
    }

    const last = s.lastDispatch && s.lastDispatch.batch === where.batch ? s.lastDispatch.index : undefined;
    clear(byId('plan'), planList(s.plan.steps, where.dispatch, last));
    const names = unitNames(s.config.layers, s.dataset.inputNames, s.dataset.outputNames);
    const diagram = networkDiagram(s.config.layers, s.weights, names, s.lastDispatch?.step);
    clear(byId('network'), ...(diagram ? [diagram, networkLegend()] : []));
    clear(byId('dispatch'), dispatchDetail(s.lastDispatch, s.onGpu, { iterations: s.config.iterations, batches, dispatches: s.plan.steps.length, done: s.done }));

    const live: Curve = { label: this.views.label(s.config), errors: s.trace.map((e) => e.error), color: PALETTE[0]!, updatesPerPass: batches };
    this.views.chart.setSpan(s.config.iterations, batches);
    // The live run first and wide, the compared runs dashed over it: one that follows the same path stays visible.
    this.views.chart.show([live, ...this.views.kept()]);
    clear(
      byId('weights'),
      ...s.weights.slice(0, s.config.layers.length - 1).map((w, l) => heatmap(weightsName(l), w, ...weightShape(s.config.layers, l), { rows: names.layers[l]!, cols: names.layers[l + 1]! })),
    );
    const activation = activationOf(s.config.activation);
    const parameters = s.weights.slice(0, s.config.layers.length - 1);
    const walk = s.dataset.outputNames?.[0] === 'walk';
    const goalName = (goal: number): string => (walk ? (goal > 0.5 ? 'walk' : 'stop') : String(goal));
    clear(
      byId('pressure'),
      pressureView(
        s.dataset.outputSize === 1 ? lessonPressure(s.dataset) : undefined,
        pressure(s.config.layers, parameters, s.dataset, activation),
        names,
        deadUnits(s.config.layers, parameters, s.dataset, activation),
        goalName,
        Array.from({ length: Math.min(s.dataset.rows, 16) }, (_, i) => `[${Array.from(s.dataset.inputs.subarray(i * s.dataset.inputSize, (i + 1) * s.dataset.inputSize)).join(' ')}]`),
      ),
    );
    const hidden = hiddenDataset(s.config.layers, s.weights, s.dataset, { activation, bias: s.config.bias });
    clear(byId('hidden'), hiddenDatasetView(hidden, names.layers[1] ?? [], goalName, walk ? 'walk' : (s.dataset.outputNames?.[0] ?? 'goal')));
    byId('log').textContent = s.trace
      .filter((e) => isLogged(e.iteration, s.config))
      .map((e) => errorLine(e.error, s.onGpu))
      .join('\n');
  }
}
