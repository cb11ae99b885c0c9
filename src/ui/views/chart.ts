// The error per iteration as curves (uPlot): the live run and any runs kept for comparison,
// on a log scale by default so the seed's fall from 0.6 to 1e-5 is visible.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, short } from '../dom.js';
import { NumbersDisclosure } from './numbers.js';

export interface Curve {
  label: string;
  /** One value per pass over the data (iteration, epoch). */
  errors: readonly number[];
  color: string;
  dash?: boolean;
  /** Updates (batches) per pass: with the x axis in updates, pass i is drawn at (i + 1) · this. */
  updatesPerPass?: number;
}

/** No finite value to scale to: the chart has no points yet. */
const empty = (min: number | null, max: number | null): boolean => min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max);

export const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4b5563'];

export class ErrorChart {
  private plot: uPlot | undefined;
  private curves: Curve[] = [];
  private log = true;
  private perUpdate = false;
  /** Passes the run will make, so the axes are there before the first point is. */
  private span = 1;
  private spanUpdates = 1;
  private readonly observer: ResizeObserver;
  /** The curves as a table, on demand: the chart's text alternative. */
  private readonly numbers: NumbersDisclosure;

  constructor(
    private readonly container: HTMLElement,
    private readonly height = 300,
    private readonly yLabel = 'error',
    log = true,
  ) {
    this.log = log;
    this.observer = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.height }));
    this.observer.observe(container);
    container.setAttribute('role', 'img');
    this.numbers = new NumbersDisclosure(`The ${this.what()} as numbers`, () => this.table());
    container.after(this.numbers.element);
    this.describe();
  }

  /** What the chart plots, in words: "error per iteration". */
  private what(): string {
    return this.yLabel === 'error' ? 'error per iteration' : `${this.yLabel} per epoch`;
  }

  /** The chart's name for a screen reader: each curve's length and its first and last value. */
  private describe(): void {
    const curves = this.curves.filter((c) => c.errors.length > 0);
    const each = curves.map((c) => `${c.label}: ${c.errors.length} ${c.errors.length === 1 ? 'point' : 'points'}, from ${short(c.errors[0]!)} to ${short(c.errors.at(-1)!)}`);
    this.container.setAttribute('aria-label', `Chart of the ${this.what()}${this.log ? ', log scale' : ''}. ${each.length ? `${each.join('; ')}.` : 'Nothing has run yet.'}`);
  }

  /** Every point of every curve, a row per pass (at most 400 rows, evenly spaced, the last kept). */
  private table(): HTMLElement {
    // The values as the run gave them, not as drawn (a log scale draws 0 at its floor).
    const xs = [...new Set(this.curves.flatMap((c) => c.errors.map((_, i) => this.x(c, i))))].sort((a, b) => a - b);
    const ys = this.curves.map((c) => {
      const at = new Map(c.errors.map((e, i) => [this.x(c, i), e]));
      return xs.map((x) => at.get(x));
    });
    const limit = 400;
    const picked = xs.length <= limit ? xs.map((_, i) => i) : Array.from({ length: limit }, (_, k) => Math.round((k * (xs.length - 1)) / (limit - 1)));
    const xName = this.perUpdate ? 'update' : this.yLabel === 'error' ? 'iteration' : 'epoch';
    return h(
      'table',
      { class: 'numbers-table' },
      h('caption', {}, xs.length > limit ? `${limit} of ${xs.length} points, evenly spaced` : `${this.what()}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, xName), ...this.curves.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', {}, ...picked.map((i) => h('tr', {}, h('th', { scope: 'row' }, String(xs[i])), ...ys.map((y) => h('td', {}, y[i] === undefined ? '' : String(y[i])))))),
    );
  }

  private width(): number {
    return Math.max(240, this.container.clientWidth);
  }

  setLogScale(log: boolean): void {
    this.log = log;
    this.rebuild();
    this.describe();
  }

  /** The length of the run, in passes and in updates: the x axis spans it from the start. */
  setSpan(passes: number, updatesPerPass = 1): void {
    if (passes === this.span && updatesPerPass === this.spanUpdates) return;
    this.span = passes;
    this.spanUpdates = updatesPerPass;
    this.rebuild();
  }

  /** The x axis in updates (batches) instead of passes: stochastic makes a pass's updates one by one, full only one. */
  setPerUpdate(perUpdate: boolean): void {
    this.perUpdate = perUpdate;
    this.rebuild();
  }

  /** Replaces every curve; a new set of labels rebuilds the plot, new values only update it. */
  show(curves: Curve[]): void {
    const sameSeries = curves.length === this.curves.length && curves.every((c, i) => c.label === this.curves[i]!.label);
    this.curves = curves;
    if (sameSeries && this.plot) this.plot.setData(this.data());
    else this.rebuild();
    this.describe();
    this.numbers.refresh();
  }

  /** Where pass i (0-based) of a curve is drawn: passes counted from 1, or the updates made by its end. */
  private x(curve: Curve, i: number): number {
    return this.perUpdate ? (i + 1) * (curve.updatesPerPass ?? 1) : i + 1;
  }

  private data(): uPlot.AlignedData {
    const floor = 1e-12;
    const all = new Set<number>();
    for (const c of this.curves) c.errors.forEach((_, i) => all.add(this.x(c, i)));
    const xs = [...all].sort((a, b) => a - b);
    if (xs.length === 0) xs.push(1);
    return [
      xs,
      ...this.curves.map((c) => {
        const at = new Map(c.errors.map((e, i) => [this.x(c, i), Math.max(e, this.log ? floor : -Infinity)]));
        return xs.map((x) => at.get(x) ?? null);
      }),
    ] as uPlot.AlignedData;
  }

  private rebuild(): void {
    this.plot?.destroy();
    const opts: uPlot.Options = {
      width: this.width(),
      height: this.height,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      scales: {
        // Passes are counted from 1; an axis of one point still spans 1 to 2, so a single epoch is seen.
        x: {
          time: false,
          range: (_u: uPlot, min: number, max: number): [number, number] => {
            const end = this.perUpdate ? this.span * this.spanUpdates : this.span;
            return [1, Math.max(max, end, Math.min(1, min) + 1)];
          },
        },
        // Before the first point the y axis still shows: the seed's error falls from about 1 to 1e-5.
        y: this.log
          ? { distr: 3, log: 10, range: (_u: uPlot, min: number, max: number) => (empty(min, max) ? [1e-5, 10] : uPlot.rangeLog(min, max, 10, true)) }
          : { range: (_u: uPlot, min: number, max: number) => (empty(min, max) ? [0, 1] : uPlot.rangeNum(min, max, 0.1, true)) },
      },
      axes: [
        {
          label: this.perUpdate ? 'updates (weight changes) made' : this.yLabel === 'error' ? 'iteration: passes over the data' : 'epoch',
          stroke: '#475569',
          grid: { stroke: '#eef2f7' },
          values: (_u: uPlot, splits: number[]) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')),
        },
        {
          label: this.yLabel === 'error' ? 'error Σ(pred − goal)² per pass' : this.yLabel,
          stroke: '#475569',
          grid: { stroke: '#eef2f7' },
          size: 64,
          space: 36,
          // Powers of ten as 1e-5 below 0.01, so the log scale's labels stay readable.
          values: (_u: uPlot, splits: number[]) =>
            splits.map((v) => (v === null ? '' : v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(0) : String(+v.toPrecision(3)))),
          ...(this.log ? { filter: (_u: uPlot, splits: number[]) => splits.map((v) => (Number.isInteger(Math.log10(v)) ? v : null)) } : {}),
        },
      ],
      series: [
        { label: this.perUpdate ? 'update' : this.yLabel === 'error' ? 'iteration' : 'epoch' },
        ...this.curves.map((c) => ({
          label: c.label,
          stroke: c.color,
          // Solid runs wider than dashed ones, which are drawn over them: where two follow the same
          // path, both stay visible.
          width: c.dash ? 2 : 3.5,
          spanGaps: true,
          ...(c.dash ? { dash: [6, 4] } : {}),
          // A curve of one or two points is drawn as points, or it would not be seen.
          points: { show: (u: uPlot, i: number) => Array.from(u.data[i] as ArrayLike<number | null>).filter((v) => v !== null).length <= 2, size: 8 },
        })),
      ],
    };
    this.plot = new uPlot(opts, this.data(), this.container);
    // The axes are drawn on the canvas; their labels are also kept where a test or a screen reader finds them.
    this.container.dataset.xLabel = String(opts.axes![0]!.label);
    this.container.dataset.yLabel = String(opts.axes![1]!.label);
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot?.destroy();
  }
}
