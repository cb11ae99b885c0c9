// The error per iteration as curves (uPlot): the live run and any runs kept for comparison,
// on a log scale by default so the seed's fall from 0.6 to 1e-5 is visible.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Curve {
  label: string;
  errors: readonly number[];
  color: string;
  dash?: boolean;
}

export const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4b5563'];

export class ErrorChart {
  private plot: uPlot | undefined;
  private curves: Curve[] = [];
  private log = true;
  private readonly observer: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly height = 260,
    private readonly yLabel = 'error',
    log = true,
  ) {
    this.log = log;
    this.observer = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.height }));
    this.observer.observe(container);
  }

  private width(): number {
    return Math.max(240, this.container.clientWidth);
  }

  setLogScale(log: boolean): void {
    this.log = log;
    this.rebuild();
  }

  /** Replaces every curve; a new set of labels rebuilds the plot, new values only update it. */
  show(curves: Curve[]): void {
    const sameSeries = curves.length === this.curves.length && curves.every((c, i) => c.label === this.curves[i]!.label);
    this.curves = curves;
    if (sameSeries && this.plot) this.plot.setData(this.data());
    else this.rebuild();
  }

  private data(): uPlot.AlignedData {
    const length = Math.max(1, ...this.curves.map((c) => c.errors.length));
    const xs = Array.from({ length }, (_, i) => i);
    const floor = 1e-12;
    return [
      xs,
      ...this.curves.map((c) => xs.map((i) => (i < c.errors.length ? Math.max(c.errors[i]!, this.log ? floor : -Infinity) : null))),
    ] as uPlot.AlignedData;
  }

  private rebuild(): void {
    this.plot?.destroy();
    const opts: uPlot.Options = {
      width: this.width(),
      height: this.height,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: this.log ? { distr: 3, log: 10 } : {} },
      axes: [
        {
          label: this.yLabel === 'error' ? 'iteration' : 'epoch',
          stroke: '#475569',
          grid: { stroke: '#eef2f7' },
          // Whole iterations only; epochs are counted from 1.
          values: (_u: uPlot, splits: number[]) =>
            splits.map((v) => (Number.isInteger(v) ? String(this.yLabel === 'error' ? v : v + 1) : '')),
        },
        {
          label: this.yLabel,
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
        { label: 'iteration' },
        ...this.curves.map((c) => ({
          label: c.label,
          stroke: c.color,
          width: 2,
          ...(c.dash ? { dash: [6, 4] } : {}),
          points: { show: false },
        })),
      ],
    };
    this.plot = new uPlot(opts, this.data(), this.container);
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot?.destroy();
  }
}
