// The epoch schedule every trainer follows: the batches of an iteration, the order of the
// examples in each epoch (shuffled or not), each image's shift, alpha per epoch, and the gathering
// of a batch's rows. The GPU trainer uploads the order and shifts; the CPU executor gathers with
// them; both take alpha from here. Each epoch's order and shifts can be made again on their own, so
// a run resumed after a device loss gets the same batches.

import type { Dataset } from '../data/dataset.js';
import { MT19937 } from '../net/mt19937.js';
import type { TrainConfig } from './config.js';

export interface Batch {
  start: number;
  rows: number;
}

/** Consecutive batches in dataset order; the last one may be smaller. */
export function batches(rows: number, batchSize: number): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < rows; start += batchSize) out.push({ start, rows: Math.min(batchSize, rows - start) });
  return out;
}

/**
 * The order of the examples in iteration (epoch) `epoch` when shuffling: a Fisher–Yates shuffle
 * drawn from MT19937 seeded with (seed + epoch + 1) mod 2³².
 */
export function epochOrder(seed: number, epoch: number, rows: number): Uint32Array {
  const rng = new MT19937((seed + epoch + 1) % 2 ** 32);
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * The shift of every image in epoch `epoch`: (dx, dy) pairs, each in [−shift, shift], drawn from
 * MT19937 seeded with (seed + epoch + 1) xor 0x9e3779b9.
 */
export function epochShifts(seed: number, epoch: number, rows: number, shift: number): Int32Array {
  const out = new Int32Array(rows * 2);
  if (shift === 0) return out;
  const rng = new MT19937((((seed + epoch + 1) % 2 ** 32) ^ 0x9e3779b9) >>> 0);
  for (let i = 0; i < out.length; i++) out[i] = rng.below(2 * shift + 1) - shift;
  return out;
}

/** Image `row` of `inputs` moved by (dx, dy), pixels from outside being 0: what shaders/gather.wgsl does. */
export function shiftedImage(inputs: Float32Array, row: number, size: number, width: number, dx: number, dy: number, out: Float64Array, at: number): void {
  const height = size / width;
  for (let c = 0; c < size; c++) {
    const x = (c % width) - dx;
    const y = Math.floor(c / width) - dy;
    out[at + c] = x >= 0 && x < width && y >= 0 && y < height ? inputs[row * size + y * width + x]! : 0;
  }
}

/** The step size of iteration (epoch) `epoch`: alpha · alphaDecay^epoch. */
export function alphaAt(config: Pick<TrainConfig, 'alpha' | 'alphaDecay'>, epoch: number): number {
  return config.alphaDecay === 1 ? config.alpha : config.alpha * config.alphaDecay ** epoch;
}

export class Schedule {
  readonly batches: readonly Batch[];
  private cached: { epoch: number; order: Uint32Array; shifts: Int32Array } | undefined;
  private readonly identity: Uint32Array;

  constructor(
    readonly config: Pick<TrainConfig, 'batchSize' | 'seed' | 'shuffle' | 'shift' | 'alpha' | 'alphaDecay'>,
    readonly dataset: Dataset,
  ) {
    this.batches = batches(dataset.rows, config.batchSize);
    this.identity = Uint32Array.from({ length: dataset.rows }, (_, i) => i);
  }

  /** Whether anything but the batches changes from one epoch to the next (a new upload per epoch). */
  get changesPerEpoch(): boolean {
    return this.config.shuffle || this.config.shift > 0 || this.config.alphaDecay !== 1;
  }

  /** The examples' order in epoch `epoch`: dataset order unless shuffling. */
  order(epoch: number): Uint32Array {
    return this.config.shuffle ? this.epoch(epoch).order : this.identity;
  }

  /** Each image's (dx, dy) in epoch `epoch`: all zero unless shifting. */
  shifts(epoch: number): Int32Array {
    return this.epoch(epoch).shifts;
  }

  alpha(epoch: number): number {
    return alphaAt(this.config, epoch);
  }

  /** layer_0 and goal for batch `b` of epoch `epoch`, (rows, inputSize) and (rows, outputSize). */
  gather(epoch: number, b: number, layer0: Float64Array, goal: Float64Array): void {
    const { dataset } = this;
    const { inputSize, outputSize } = dataset;
    const { start, rows } = this.batches[b]!;
    const order = this.order(epoch);
    const shifts = this.config.shift > 0 ? this.shifts(epoch) : undefined;
    for (let r = 0; r < rows; r++) {
      const row = order[start + r]!;
      if (shifts) {
        shiftedImage(dataset.inputs, row, inputSize, dataset.imageWidth!, shifts[2 * row]!, shifts[2 * row + 1]!, layer0, r * inputSize);
      } else layer0.set(dataset.inputs.subarray(row * inputSize, (row + 1) * inputSize), r * inputSize);
      goal.set(dataset.targets.subarray(row * outputSize, (row + 1) * outputSize), r * outputSize);
    }
  }

  private epoch(epoch: number): { order: Uint32Array; shifts: Int32Array } {
    if (this.cached?.epoch !== epoch) {
      const { seed, shuffle, shift } = this.config;
      const rows = this.dataset.rows;
      this.cached = {
        epoch,
        order: shuffle ? epochOrder(seed, epoch, rows) : this.identity,
        shifts: epochShifts(seed, epoch, rows, shift),
      };
    }
    return this.cached;
  }
}
