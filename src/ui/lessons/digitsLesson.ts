// The real-digits lesson: a DigitsRun (epochs on the GPU's fast plan, a test set after each) and
// its views: accuracy per epoch, test digits with their predictions, the first layer's weights as
// images, and a pad to draw a digit on.

import type { Dataset } from '../../data/dataset.js';
import type { GpuContext } from '../../gpu/context.js';
import type { TrainConfig } from '../../train/config.js';
import { byId, clear, h } from '../dom.js';
import { DigitsRun, DrawPad, digitGrid, firstLayerImages, outputBars } from '../digits.js';
import { PALETTE, type ErrorChart } from '../views/chart.js';
import type { Lesson } from './lesson.js';

/** What the digits lesson draws into that outlives one run: the accuracy chart and the drawing pad. */
export interface DigitsViews {
  accuracyChart: ErrorChart;
  pad: DrawPad;
}

export class DigitsLesson implements Lesson {
  readonly cards = ['digits-card'];
  readonly dispatchStepping = {
    ok: false,
    why: 'Stepping one dispatch at a time follows the teaching plan, which runs the seed\'s networks; real digits train on the fast plan (biases and softmax).',
  } as const;

  /**
   * Edited kernels never run here: the fast plan's run is not shadowed by the CPU on the page (that
   * costs a second training on the CPU), so an edit would train and score the digits unchecked.
   */
  readonly takesEdits = false;
  /** The lab's files the digits could run, were edits taken: none, since they are not. */
  readonly compiledFiles: ReadonlySet<string> = new Set();

  get steppingBack(): { ok: false; why: string } {
    return this.dispatchStepping;
  }

  private constructor(
    readonly digits: DigitsRun,
    private readonly views: DigitsViews,
    /** The lab's edited files, set aside for this lesson. */
    private readonly setAside: readonly string[],
  ) {}

  static async create(config: TrainConfig, train: Dataset, test: Dataset, weights: Float64Array[], ctx: GpuContext | undefined, views: DigitsViews, setAside: readonly string[] = []): Promise<DigitsLesson> {
    return new DigitsLesson(await DigitsRun.create(config, train, test, weights, ctx), views, setAside);
  }

  get config(): TrainConfig {
    return this.digits.config;
  }

  get done(): boolean {
    return this.digits.done;
  }

  get onGpu(): boolean {
    return this.digits.onGpu;
  }

  get weights(): Float32Array[] | Float64Array[] {
    return this.digits.weights;
  }

  private progress = (fraction: number): void => {
    byId('epoch-progress').style.width = `${(fraction * 100).toFixed(1)}%`;
  };

  run(render: () => void, frame: () => Promise<void>): Promise<void> {
    return this.digits.runToEnd(this.progress, render, frame);
  }

  async stepIteration(_render: () => void, frame: () => Promise<void>): Promise<void> {
    await this.digits.runEpoch(this.progress, frame);
  }

  stepDispatch(): Promise<void> {
    return Promise.reject(new Error(this.dispatchStepping.why));
  }

  stepBack(): Promise<void> {
    return Promise.reject(new Error(this.dispatchStepping.why));
  }

  pause(): void {
    this.digits.pause();
  }

  get checkpointIteration(): number {
    return this.digits.engine.checkpoint.iteration;
  }

  async resume(ctx: GpuContext): Promise<void> {
    await this.digits.engine.recover(ctx);
  }

  close(): Promise<void> {
    return this.digits.close();
  }

  trace(): Record<string, unknown> {
    return { layers: this.config.layers, activation: this.config.activation, epochs: this.digits.epochs };
  }

  /** The network's ten outputs for what was drawn on the pad. */
  showDrawing(image: Float32Array | undefined): void {
    const wrap = byId('draw-outputs-wrap');
    if (!image) {
      clear(wrap, h('p', { class: 'hint' }, 'Draw a digit in the box; the network\'s ten outputs appear here.'));
      return;
    }
    clear(wrap, outputBars(this.digits.predict(image, 1)));
  }

  announce(): string {
    const last = this.digits.epochs.at(-1);
    if (!last) return 'No epoch trained yet.';
    return `Epoch ${last.epoch + 1} of ${this.digits.config.iterations}: ${(last.trainAccuracy * 100).toFixed(2)}% of the training digits right, ${(last.testAccuracy! * 100).toFixed(2)}% of the held-out digits.${this.digits.done ? ' Done.' : ''}`;
  }

  render(): void {
    const run = this.digits;
    clear(
      byId('what-to-do'),
      'Press ',
      h('strong', {}, 'Run'),
      ' to train on the digits an epoch at a time: the accuracy chart rises, and the held-out digits show what the network says. Draw a digit to test it yourself.',
    );
    const position = byId('position');
    position.dataset.steps = String(run.epoch);
    position.dataset.epoch = String(run.epoch);
    position.textContent = `epoch ${run.epoch} of ${run.config.iterations} · ${run.train.rows.toLocaleString('en')} digits per epoch`;
    const checkBadge = byId('check');
    checkBadge.dataset.ok = run.onGpu ? 'not-shadowed' : 'cpu-only';
    checkBadge.className = 'badge';
    checkBadge.textContent = run.onGpu ? 'fast plan: this run is not compared with the CPU (its kernels are, in npm test)' : 'CPU reference only';
    checkBadge.title = run.onGpu
      ? 'The digits train on the fast plan with the kernels as they are in shaders/. The page does not shadow this run with the CPU; npm test checks the same kernels against the float64 reference.'
      : '';
    const edits = byId('digits-edits');
    edits.hidden = this.setAside.length === 0;
    edits.textContent = this.setAside.length
      ? `Your edited ${this.setAside.map((n) => `shaders/${n}.wgsl`).join(' and ')} ${this.setAside.length === 1 ? 'is' : 'are'} not used here: the digits run the kernels as they are in shaders/, since nothing on this page compares their run with the CPU. Edits run, graded dispatch by dispatch, in the seed's lessons (two-layer, one-layer), where the shader lab is; they are kept for when you go back.`
      : '';
    const last = run.epochs.at(-1);
    const report = byId('epoch-report');
    if (last) {
      report.dataset.testAccuracy = String(last.testAccuracy);
      report.dataset.trainAccuracy = String(last.trainAccuracy);
      report.textContent = `Epoch ${last.epoch + 1}: ${(last.trainAccuracy * 100).toFixed(2)}% of the training digits right while training, ${(last.testAccuracy! * 100).toFixed(2)}% of the held-out digits.`;
      byId('epoch-gap').textContent = gapSentence(last.trainAccuracy, last.testAccuracy!, run.config.shift);
    } else {
      delete report.dataset.testAccuracy;
      report.textContent = 'Press Run (or Step iteration for one epoch).';
      byId('epoch-gap').textContent = '';
    }
    this.views.accuracyChart.setSpan(run.config.iterations);
    this.views.accuracyChart.show([
      { label: 'train', errors: run.epochs.map((e) => e.trainAccuracy), color: PALETTE[0]! },
      { label: 'test', errors: run.epochs.map((e) => e.testAccuracy!), color: PALETTE[1]! },
    ]);
    clear(byId('digit-grid-wrap'), digitGrid(run));
    clear(byId('unit-images-wrap'), firstLayerImages(run));
    this.showDrawing(this.views.pad.image());
    byId('log').textContent = run.epochs
      .map((e) => `epoch ${e.epoch + 1}/${run.config.iterations}: train accuracy ${e.trainAccuracy.toFixed(4)}, test accuracy ${e.testAccuracy!.toFixed(4)}`)
      .join('\n');
  }
}

/**
 * The gap between the training digits and the held-out ones, and what it means: the network sees
 * the training digits every epoch and can memorise them (overfitting); the held-out digits are the
 * honest measure. Shifted images take away the exact pixels to memorise.
 */
export function gapSentence(train: number, test: number, shift: number): string {
  const gap = (train - test) * 100;
  const where =
    gap > 0
      ? `The training digits are ${gap.toFixed(2)} points ahead of the held-out ones: the network has seen them every epoch and can memorise them (overfitting), so the held-out accuracy is the honest measure of what it learnt.`
      : `The held-out digits are ${(-gap).toFixed(2)} points ahead: the training accuracy is counted while the weights still change during the epoch, the held-out one after it, so early on the training figure lags; no sign of memorising yet.`;
  const shifts =
    shift > 0
      ? ` Each epoch shows every training digit moved by up to ${shift} pixel${shift === 1 ? '' : 's'}, so the network never sees the same pixels twice and has to learn shapes rather than memorise images.`
      : ' Setting a shift (More settings) moves every training digit by a few pixels each epoch, so the network cannot memorise the exact pixels, only shapes.';
  return where + shifts;
}
