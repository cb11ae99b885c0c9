// Choosing how the GPU trains: the teaching plan (one dispatch per line of numpy, for stepping
// through), the fast plan (fused register-blocked kernels) or the resident plan (a small network's
// whole loop in one invocation). 'auto' takes resident where a step is too little work to be worth
// several dispatches, else fast.

import type { Dataset } from '../data/dataset.js';
import { OptionError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { weightCount, type TrainConfig } from './config.js';
import { CpuTrainer } from './cpuTrainer.js';
import { GpuTrainer } from './gpuTrainer.js';
import { fitsResident, ResidentTrainer } from './residentTrainer.js';
import type { Evaluation, IterationError, Position } from './types.js';

export type PlanChoice = 'auto' | 'teaching' | 'fast' | 'resident';
export const PLAN_CHOICES: readonly PlanChoice[] = ['auto', 'fast', 'resident', 'teaching'];

/** What the run engine needs of any of the trainers (GPU plans, or the CPU reference). */
export interface Trainer {
  readonly batchesPerIteration: number;
  /** Where it stands, counted from the weights it was made with. */
  readonly where: Position;
  /** Runs `steps` batches from where it stands; the errors of the iterations completed. */
  run(steps: number): Promise<IterationError[]>;
  /** Runs until `count` more iterations are complete (finishing the current one first). */
  runIterations(count: number): Promise<IterationError[]>;
  readWeights(): Promise<Float32Array[] | Float64Array[]>;
  /** Waits until everything submitted has run. */
  idle(): Promise<void>;
  /** Error and correct count of a forward pass over a test set; not the resident plan. */
  evaluate?(data: Dataset): Promise<Evaluation>;
  destroy(): void;
}

/** How a run trains: a GPU plan, or the CPU reference. */
export type Backend = Exclude<PlanChoice, 'auto'> | 'cpu';

/**
 * Multiply-adds per step below which one invocation beats a handful of dispatches: a dispatch costs
 * about 60 µs on the software adapter, in which one invocation does tens of thousands of them.
 */
const RESIDENT_WORK = 20_000;

export function resolvePlan(choice: PlanChoice, config: TrainConfig): Exclude<PlanChoice, 'auto'> {
  if (choice !== 'auto') return choice;
  const work = 3 * weightCount(config.layers) * config.batchSize;
  return residentCan(config) && work <= RESIDENT_WORK ? 'resident' : 'fast';
}

/** The resident loop is the seed's network: no biases, squared error, dataset order. */
export function residentCan(config: TrainConfig): boolean {
  return fitsResident(config.layers) && !config.bias && config.loss === 'squared' && !config.shuffle && config.alphaDecay === 1 && config.shift === 0;
}

/** A trainer for `choice` on `ctx`, or the CPU reference without one; `epochOffset`: iterations done before these weights. */
export async function createTrainer(
  ctx: GpuContext | undefined,
  config: TrainConfig,
  dataset: Dataset,
  weights: readonly ArrayLike<number>[],
  choice: PlanChoice = 'auto',
  epochOffset = 0,
): Promise<Trainer> {
  if (!ctx) return new CpuTrainer(config, dataset, weights, epochOffset);
  const plan = resolvePlan(choice, config);
  if (plan === 'resident') {
    if (!residentCan(config)) {
      throw new OptionError('the resident plan runs the seed\'s networks: up to 128 units and 2,048 weights, no biases, squared error, no shuffling, a fixed alpha', 'use --plan fast (or auto)');
    }
    return ResidentTrainer.create(ctx, config, dataset, weights);
  }
  return GpuTrainer.create(ctx, config, dataset, weights, { plan, epochOffset });
}
