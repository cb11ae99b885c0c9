// The seed's lesson: a Session (the GPU trainer and its CPU shadow) and its views: the plan
// dispatch by dispatch, the error chart, the weights and the pressure table, the log.

import type { Dataset } from '../../data/dataset.js';
import type { GpuContext } from '../../gpu/context.js';
import { weightShape, weightsName } from '../../net/spec.js';
import { activationOf } from '../../ops/activations/index.js';
import type { TrainConfig } from '../../train/config.js';
import { errorLine } from '../../train/format.js';
import { pressure } from '../../train/pressure.js';
import { isLogged } from '../../train/run.js';
import { byId, clear, short } from '../dom.js';
import { Session, type Resume } from '../session.js';
import { PALETTE, type Curve, type ErrorChart } from '../views/chart.js';
import { dispatchDetail, planList } from '../views/dispatch.js';
import { heatmap } from '../views/heatmap.js';
import { pressureTable } from '../views/pressure.js';
import type { Lesson } from './lesson.js';

/** What the seed lesson draws into that outlives one run: the chart, and the runs kept on it. */
export interface SeedViews {
  chart: ErrorChart;
  kept: () => readonly Curve[];
  label: (config: TrainConfig) => string;
}

export class SeedLesson implements Lesson {
  readonly cards = ['step-card', 'seed-views', 'error-card', 'correlation-card'];
  readonly dispatchStepping = { ok: true } as const;

  private constructor(
    readonly session: Session,
    private readonly views: SeedViews,
  ) {}

  static async create(config: TrainConfig, dataset: Dataset, weights: Float64Array[], ctx: GpuContext | undefined, views: SeedViews, resume?: Resume): Promise<SeedLesson> {
    return new SeedLesson(await Session.create(config, dataset, weights, ctx, resume), views);
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

  close(): Promise<void> {
    return this.session.close();
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

  render(): void {
    const s = this.session;
    const where = s.where;
    const position = byId('position');
    const batches = s.shadow.cpu.batches.length;
    position.dataset.steps = String(where.steps);
    position.dataset.lastError = String(s.trace.at(-1)?.error ?? '');
    position.textContent = `iteration ${Math.min(where.iteration + (where.batch || where.dispatch ? 1 : 0), s.config.iterations)} of ${s.config.iterations} · batch ${where.batch + 1} of ${batches} · ${where.steps} updates`;

    const checkBadge = byId('check');
    if (s.onGpu) {
      const c = s.check;
      checkBadge.dataset.ok = String(c.ok);
      checkBadge.dataset.maxDiff = String(c.maxDiff);
      checkBadge.textContent = c.ok ? `GPU = CPU · largest |Δw| ${short(c.maxDiff)} (bound ${short(c.bound)})` : `GPU ≠ CPU beyond the tolerance`;
      checkBadge.title = c.detail ?? 'Every step is shadowed by the float64 CPU reference; the bound grows with the steps.';
      checkBadge.className = `badge ${c.ok ? 'ok' : 'bad'}`;
    } else {
      checkBadge.dataset.ok = 'cpu-only';
      checkBadge.textContent = 'CPU reference only';
      checkBadge.className = 'badge';
    }

    const last = s.lastDispatch && s.lastDispatch.batch === where.batch ? s.lastDispatch.index : undefined;
    clear(byId('plan'), planList(s.plan.steps, where.dispatch, last));
    clear(byId('dispatch'), dispatchDetail(s.lastDispatch, s.onGpu, { iterations: s.config.iterations, batches, dispatches: s.plan.steps.length }));

    const live: Curve = { label: this.views.label(s.config), errors: s.trace.map((e) => e.error), color: PALETTE[0]! };
    this.views.chart.show([live, ...this.views.kept()]);
    clear(byId('weights'), ...s.weights.slice(0, s.config.layers.length - 1).map((w, l) => heatmap(weightsName(l), w, ...weightShape(s.config.layers, l))));
    clear(byId('pressure'), pressureTable(pressure(s.config.layers, s.weights, s.dataset, activationOf(s.config.activation))));
    byId('log').textContent = s.trace
      .filter((e) => isLogged(e.iteration, s.config))
      .map((e) => errorLine(e.error, s.onGpu))
      .join('\n');
  }
}
