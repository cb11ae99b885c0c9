// The GPU trainer: records and submits a run's steps. Made once per run: the dataset, weights,
// layers and deltas live in GPU buffers (gpuBuffers.ts), every step of the plan has its dispatch
// built up front, and each batch is recorded as the plan's dispatches in one compute pass. Many
// batches go in one submit; the error of each iteration is summed on the GPU into a log that is
// read back only when asked for, and the weights only on request.

import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import { encodeDispatch, type Dispatch } from '../gpu/dispatch.js';
import { batchStride } from '../kernels/gather.js';
import { timePasses, TIMING_SAMPLES, type Timing } from '../gpu/timing.js';
import type { Step } from '../ops/op.js';
import { checkWeights, parameterNames, type TrainConfig } from './config.js';
import { Cursor } from './cursor.js';
import { Evaluator } from './evaluator.js';
import { addDataBuffers, addPlanBuffers, build, BufferSet, unpadded, uploadParameters, type Built } from './gpuBuffers.js';
import { planOf, planOptions, type Plan, type PlanKind } from './plan.js';
import { Schedule } from './schedule.js';
import { IterationLog, LOG_CAPACITY } from './iterationLog.js';
import type { Evaluation, IterationError, Position } from './types.js';



/** What one dispatch did, for stepping through a plan. */
export interface DispatchRun {
  step: Step;
  dispatch: Dispatch;
  /** Its index in the batch's plan. */
  index: number;
  /** The batch it belongs to, in the iteration. */
  batch: number;
  /** True when this dispatch finished its batch (the weights were updated). */
  batchDone: boolean;
  /** The iteration's error, when this dispatch finished the iteration. */
  completed?: IterationError;
  /** How long it took (timestamp queries, or submit to done on the CPU). */
  timing: Timing;
}

/** How long one dispatch of a batch took, and which kernel variant ran it. */
export interface StepTiming {
  step: Step;
  timing: Timing;
  variant?: string;
}

/** Dispatches per command buffer: enough to amortise a submit, few enough to keep encoders small. */
const DISPATCHES_PER_SUBMIT = 4096;


export interface GpuTrainerOptions {
  /** 'teaching' (one dispatch per line of numpy, the default) or 'fast' (fused kernels, padded buffers). */
  plan?: PlanKind;
  /** Iterations already done before these weights (a resumed run): the schedule goes on from that epoch. */
  epochOffset?: number;
}

export class GpuTrainer {
  readonly schedule: Schedule;
  private readonly cursor: Cursor;
  private evaluator: Evaluator | undefined;
  private readonly stride: number;
  /** The errors of completed iterations, on the GPU until read. */
  private readonly log: IterationLog;
  private destroyed = false;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    private readonly buffers: BufferSet,
    private readonly full: Built,
    private readonly tail: Built | undefined,
    private readonly epochOffset: number,
    schedule: Schedule,
  ) {
    this.schedule = schedule;
    this.log = new IterationLog(ctx, buffers, dataset.labels !== undefined);
    this.stride = batchStride(ctx);
    this.cursor = new Cursor(schedule.batches.length);
    if (config.alphaDecay !== 1) this.startIteration();
  }

  /** Uploads the dataset and weights and builds every pipeline, bind group and buffer the run needs. */
  static async create(
    ctx: GpuContext,
    config: TrainConfig,
    dataset: Dataset,
    weights: readonly ArrayLike<number>[],
    options: GpuTrainerOptions = {},
  ): Promise<GpuTrainer> {
    const { layers, batchSize, bias } = config;
    checkWeights(layers, weights, bias);
    const schedule = new Schedule(config, dataset);
    const epochOffset = options.epochOffset ?? 0;
    const buffers = new BufferSet(ctx);
    try {
      return await ctx.scoped(async () => {
        const kind = options.plan ?? 'teaching';
        const opts = planOptions(config, dataset);
        const plan = planOf(kind, layers, batchSize, config.alpha, opts);
        addDataBuffers(ctx, buffers, dataset, schedule, plan, epochOffset);
        addPlanBuffers(ctx, buffers, plan);
        uploadParameters(ctx, buffers, plan, config, weights);
        const full = await build(ctx, plan, buffers, dataset);
        const tailRows = dataset.rows % batchSize;
        const tail = tailRows ? await build(ctx, planOf(kind, layers, tailRows, config.alpha, opts), buffers, dataset) : undefined;
        return new GpuTrainer(ctx, config, dataset, buffers, full, tail, epochOffset, schedule);
      });
    } catch (error) {
      buffers.destroy();
      throw error;
    }
  }

  get where(): Position {
    return this.cursor.position;
  }

  /** Batches (updates) per iteration. */
  get batchesPerIteration(): number {
    return this.schedule.batches.length;
  }

  /** The plan of a full batch. */
  get plan(): Plan {
    return this.full.plan;
  }

  /** The plan and its dispatches for a batch of the iteration (a smaller last batch has its own). */
  planFor(batch = this.cursor.batch): { plan: Plan; dispatches: readonly Dispatch[] } {
    return this.schedule.batches[batch]!.rows === this.config.batchSize ? this.full : this.tail!;
  }

  /**
   * Runs only the next dispatch of the current batch and waits for it, so its buffers can be read.
   * Finishing a batch counts a step; finishing an iteration reads back its error.
   */
  async runDispatch(): Promise<DispatchRun> {
    this.assertUsable();
    const batch = this.cursor.batch;
    const index = this.cursor.dispatch;
    const { plan, dispatches } = this.planFor(batch);
    const dispatch = dispatches[index]!;
    // The dispatch runs in a pass of its own, timed: on the GPU by timestamp queries where the
    // adapter has them, else from submit to done on the CPU.
    const [timing] = await this.ctx.scoped(() =>
      timePasses(this.ctx, 1, (pass) => encodeDispatch(pass, dispatch, dispatch.dynamic ? [batch * this.stride] : undefined), dispatch.label),
    );
    const iteration = this.cursor.iteration;
    this.cursor.dispatch++;
    const completedIteration = this.cursor.dispatch === dispatches.length && this.cursor.finishBatch();
    const result: DispatchRun = { step: plan.steps[index]!, dispatch, index, batch, batchDone: this.cursor.dispatch === 0, timing: timing! };
    if (completedIteration) {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'GpuTrainer.runDispatch' });
      this.log.end(encoder, 0);
      [result.completed] = await this.log.read(iteration, 1, encoder);
      this.startIteration();
    }
    return result;
  }

  /** The schedule of the iteration about to start: the examples' order, the images' shifts, alpha. */
  private startIteration(): void {
    const epoch = this.epochOffset + this.cursor.iteration;
    const { queue } = this.ctx.device;
    if (this.config.shuffle) queue.writeBuffer(this.buffers.get('order'), 0, this.schedule.order(epoch));
    if (this.config.shift > 0) queue.writeBuffer(this.buffers.get('shifts'), 0, this.schedule.shifts(epoch));
    if (this.config.alphaDecay !== 1) {
      const alpha = this.schedule.alpha(epoch);
      for (const built of [this.full, this.tail]) {
        built?.dispatches.forEach((d, i) => {
          const rows = built.plan.steps[i]!.scaleRows;
          if (d.scale && rows) queue.writeBuffer(d.scale.buffer, d.scale.offset, new Float32Array([alpha / rows]));
        });
      }
    }
  }

  /**
   * Records and submits `steps` batches from where the run stands, finishing iterations on the way,
   * and returns the error of every iteration completed. One readback per call (per log-full of iterations).
   */
  async run(steps: number): Promise<IterationError[]> {
    this.assertUsable();
    const results: IterationError[] = [];
    let remaining = steps;
    while (remaining > 0) {
      const firstIteration = this.cursor.iteration;
      // The last command buffer of the batches shares its submit with the readback of the errors.
      const { done, completed, encoder } = await this.ctx.scoped(() => this.record(remaining));
      remaining -= done;
      if (completed > 0) {
        for (const entry of await this.log.read(firstIteration, completed, encoder)) results.push(entry);
      } else {
        await this.ctx.scoped(() => this.ctx.device.queue.submit([encoder.finish()]));
      }
    }
    return results;
  }

  /** Runs until `count` more iterations have completed (finishing the current one first). */
  runIterations(count: number): Promise<IterationError[]> {
    return this.run(this.cursor.stepsForIterations(count));
  }

  /** Records up to maxSteps batches, submitting full command buffers; the last one is returned unsubmitted. */
  private record(maxSteps: number): { done: number; completed: number; encoder: GPUCommandEncoder } {
    const { device } = this.ctx;
    let encoder = device.createCommandEncoder({ label: 'GpuTrainer.run' });
    let pass = encoder.beginComputePass({ label: 'GpuTrainer.batches' });
    let recorded = 0;
    let done = 0;
    let completed = 0;
    while (done < maxSteps && completed < LOG_CAPACITY) {
      const b = this.cursor.batch;
      const { dispatches } = this.planFor(b);
      // A batch stepped into dispatch by dispatch is finished from where it stands.
      for (let i = this.cursor.dispatch; i < dispatches.length; i++) {
        const dispatch = dispatches[i]!;
        encodeDispatch(pass, dispatch, dispatch.dynamic ? [b * this.stride] : undefined);
        recorded++;
      }
      done++;
      if (this.cursor.finishBatch()) {
        pass.end();
        this.log.end(encoder, completed);
        completed++;
        if (this.schedule.changesPerEpoch) {
          // The next iteration's order and alpha must be written after this one's batches ran: a new submit.
          device.queue.submit([encoder.finish()]);
          this.startIteration();
          encoder = device.createCommandEncoder({ label: 'GpuTrainer.run' });
          recorded = 0;
        }
        pass = encoder.beginComputePass({ label: 'GpuTrainer.batches' });
      }
      if (recorded >= DISPATCHES_PER_SUBMIT) {
        pass.end();
        device.queue.submit([encoder.finish()]);
        encoder = device.createCommandEncoder({ label: 'GpuTrainer.run' });
        pass = encoder.beginComputePass({ label: 'GpuTrainer.batches' });
        recorded = 0;
      }
    }
    pass.end();
    return { done, completed, encoder };
  }

  /** The current weights, one float32 array per matrix (rows, cols) row-major, then the biases if any. */
  async readWeights(): Promise<Float32Array[]> {
    this.assertUsable();
    // All at once: each read has its own staging buffer, so they wait for one round trip, not one
    // each (a round trip is about 200 ms in Firefox on SwiftShader).
    return Promise.all(parameterNames(this.config.layers, this.config.bias).map((name) => this.readBuffer(name)));
  }

  /**
   * The error and the correct count of a forward pass over `data` (a test set) with the current
   * weights, without training: on the GPU, in batches of up to 1,000 rows, one readback.
   */
  async evaluate(data: Dataset): Promise<Evaluation> {
    this.assertUsable();
    if (this.evaluator?.data !== data) {
      this.evaluator?.destroy();
      this.evaluator = undefined;
      this.evaluator = await Evaluator.create(this.ctx, this.config, data, this.full.plan.kind, (name) => this.buffers.get(name));
    }
    return this.evaluator.run();
  }

  /**
   * A plan buffer's current contents (layer_1, layer_2_delta, weights_0_1, error, ...) as the
   * logical matrix: the fast plan's padding is taken out. Layers and deltas hold batchSize rows.
   */
  async readBuffer(name: string): Promise<Float32Array> {
    this.assertUsable();
    const buffer = this.buffers.get(name);
    const raw = await this.ctx.read(buffer);
    const spec = this.full.plan.buffers.find((b) => b.name === name);
    return spec ? unpadded(raw, spec) : raw;
  }

  /**
   * How long each dispatch of a batch takes on the GPU, each in its own pass: for comparing plans.
   * It runs the batch (the weights change): use it on a trainer made for the purpose.
   */
  async timeBatch(batch = 0, samples = TIMING_SAMPLES): Promise<StepTiming[]> {
    this.assertUsable();
    const { plan, dispatches } = this.planFor(batch);
    const round = (): Promise<Timing[]> =>
      timePasses(
        this.ctx,
        dispatches.length,
        (pass, i) => {
          const d = dispatches[i]!;
          encodeDispatch(pass, d, d.dynamic ? [batch * this.stride] : undefined);
        },
        'GpuTrainer.timeBatch',
      );
    // Steady state: the first round pays for each pipeline's first use, and is not counted.
    await round();
    const rounds: Timing[][] = [];
    for (let s = 0; s < samples; s++) rounds.push(await round());
    return dispatches.map((d, i) => {
      const ns = rounds.map((r) => r[i]!.ns).sort((a, b) => a - b);
      const timing: Timing = { ns: ns[Math.floor(ns.length / 2)]!, source: rounds[0]![i]!.source, samples };
      return { step: plan.steps[i]!, timing, ...(d.variant ? { variant: d.variant } : {}) };
    });
  }

  /** Buffers' raw contents, padding and all, as the GPU holds them: to put back with restore(). */
  async snapshot(names: readonly string[]): Promise<Map<string, Float32Array>> {
    this.assertUsable();
    const values = await Promise.all(names.map((name) => this.ctx.read(this.buffers.get(name))));
    return new Map(names.map((name, i) => [name, values[i]!]));
  }

  /**
   * Puts back buffers saved by snapshot() and moves back to `position` (saved before the
   * dispatch): a step back, bit for bit, within an iteration.
   */
  restore(saved: ReadonlyMap<string, Float32Array>, position: Position): void {
    this.assertUsable();
    for (const [name, values] of saved) this.ctx.device.queue.writeBuffer(this.buffers.get(name), 0, values);
    this.cursor.set(position);
  }

  /** Waits until everything submitted has run. */
  idle(): Promise<void> {
    return this.ctx.idle();
  }

  /** Frees every buffer the trainer made; the context (device) stays. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.buffers.destroy();
    for (const d of [...this.full.dispatches, ...(this.tail?.dispatches ?? [])]) for (const b of d.owned) this.ctx.destroyBuffer(b);
    this.evaluator?.destroy();
  }

  private assertUsable(): void {
    if (this.destroyed) throw new Error('this GpuTrainer was destroyed');
    this.ctx.assertHealthy();
  }
}
