// The orchestrator. Made once per run: the dataset, weights, layers and deltas live in GPU buffers,
// every pipeline and bind group is built up front, and each batch is recorded as the plan's
// dispatches in one compute pass. Many batches go in one submit; the error of each iteration is
// summed on the GPU into a log that is read back only when asked for, and the weights only on request.

import type { Dataset } from '../data/dataset.js';
import { OptionError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { encodeDispatch, type Dispatch } from '../gpu/pipeline.js';
import { accuracy } from '../kernels/accuracy.js';
import { batchStride, batchTable, gather } from '../kernels/gather.js';
import { matmul } from '../kernels/matmul.js';
import { matmulFast } from '../kernels/matmulFast.js';
import { outputDelta } from '../kernels/outputDelta.js';
import { relu } from '../kernels/relu.js';
import { relu2deriv } from '../kernels/relu2deriv.js';
import { softmaxDelta } from '../kernels/softmaxDelta.js';
import { update } from '../kernels/update.js';
import { deltaName, layerName, pad4, weightDeltaName, weightShape } from '../net/spec.js';
import { alphaAt, batches as makeBatches, checkWeights, epochOrder, epochShifts, parameterNames, parameterShapes, type Batch, type TrainConfig } from './config.js';
import { Cursor, type Position } from './cursor.js';
import { planBufferShape, planOf, type PlanKind, type PlanStep } from './plan.js';

export interface IterationError {
  /** 0-based. */
  iteration: number;
  /**
   * Σ over the iteration's examples of (prediction − goal)² (or of the cross-entropy, with a
   * softmax output), each from the forward pass that trained on it.
   */
  error: number;
  /** For classification data: the examples whose largest output was their class, in those same passes. */
  correct?: number;
}

export type { Position } from './cursor.js';

/** What one dispatch did, for stepping through a plan. */
export interface DispatchRun {
  step: PlanStep;
  dispatch: Dispatch;
  /** Its index in the batch's plan. */
  index: number;
  /** The batch it belongs to, in the iteration. */
  batch: number;
  /** True when this dispatch finished its batch (the weights were updated). */
  batchDone: boolean;
  /** The iteration's error, when this dispatch finished the iteration. */
  completed?: IterationError;
}

/** Dispatches per command buffer: enough to amortise a submit, few enough to keep encoders small. */
const DISPATCHES_PER_SUBMIT = 4096;

export interface GpuTrainerOptions {
  /** Iterations whose errors fit in the log between readbacks. */
  logCapacity?: number;
  /** 'teaching' (one dispatch per line of numpy, the default) or 'fast' (fused kernels, padded buffers). */
  plan?: PlanKind;
  /** Iterations already done before these weights (a resumed run): shuffling goes on from that epoch's order. */
  epochOffset?: number;
}

/** The bytes a network and dataset need of one storage binding and of one buffer: for requesting the device. */
export function deviceNeeds(config: TrainConfig, dataset: Dataset): { maxStorageBufferBindingSize: number; maxBufferSize: number } {
  const { layers, batchSize } = config;
  // Sizes rounded up to vec4s: enough for either plan.
  let largest = Math.max(dataset.inputs.byteLength, dataset.targets.byteLength, dataset.rows * 4);
  for (let l = 0; l < layers.length; l++) largest = Math.max(largest, batchSize * pad4(layers[l]!) * 4);
  for (let l = 0; l + 1 < layers.length; l++) largest = Math.max(largest, pad4(layers[l]!) * pad4(layers[l + 1]!) * 4);
  return { maxStorageBufferBindingSize: largest, maxBufferSize: largest };
}

export class GpuTrainer {
  readonly batches: readonly Batch[];
  /** The plan of a full batch; a smaller last batch runs the same steps on fewer rows. */
  readonly plan: readonly PlanStep[];
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly dispatches: Dispatch[];
  private readonly tailPlan: PlanStep[] | undefined;
  private readonly tailDispatches: Dispatch[] | undefined;
  /** Per completed iteration, its error and its correct count: [error₀, correct₀, error₁, ...]. */
  private readonly errorLog: GPUBuffer;
  private readonly logCapacity: number;
  private evaluator: Evaluator | undefined;
  private readonly stride: number;
  private readonly cursor: Cursor;
  private destroyed = false;
  /** A row length of the buffers: the layer size, or rounded up to vec4s in the fast plan. */
  private readonly width: (size: number) => number;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    parts: {
      batches: Batch[];
      plan: PlanStep[];
      buffers: Map<string, GPUBuffer>;
      dispatches: Dispatch[];
      tailPlan: PlanStep[] | undefined;
      tailDispatches: Dispatch[] | undefined;
      errorLog: GPUBuffer;
      logCapacity: number;
      kind: PlanKind;
      epochOffset: number;
    },
  ) {
    this.batches = parts.batches;
    this.plan = parts.plan;
    this.buffers = parts.buffers;
    this.dispatches = parts.dispatches;
    this.tailPlan = parts.tailPlan;
    this.tailDispatches = parts.tailDispatches;
    this.errorLog = parts.errorLog;
    this.logCapacity = parts.logCapacity;
    this.stride = batchStride(ctx);
    this.cursor = new Cursor(this.batches.length);
    this.width = parts.kind === 'fast' ? pad4 : (n) => n;
    this.epochOffset = parts.epochOffset;
    if (config.alphaDecay !== 1) this.startIteration();
  }

  private readonly epochOffset: number;

  /** Uploads the dataset and weights and builds every pipeline, bind group and buffer the run needs. */
  static async create(
    ctx: GpuContext,
    config: TrainConfig,
    dataset: Dataset,
    weights: readonly ArrayLike<number>[],
    options: GpuTrainerOptions = {},
  ): Promise<GpuTrainer> {
    const { layers, batchSize, bias, loss } = config;
    checkWeights(layers, weights, bias);
    const batches = makeBatches(dataset.rows, batchSize);
    const logCapacity = Math.max(1, Math.min(options.logCapacity ?? 1024, 65536));
    const buffers = new Map<string, GPUBuffer>();
    const add = (buffer: GPUBuffer): GPUBuffer => {
      buffers.set(buffer.label, buffer);
      return buffer;
    };
    try {
      return await ctx.scoped(async () => {
        const kind = options.plan ?? 'teaching';
        const width = kind === 'fast' ? pad4 : (n: number): number => n;
        const last = layers.length - 1;
        add(ctx.storage('inputs', dataset.inputs));
        add(ctx.storage('targets', dataset.targets));
        const order = add(ctx.createBuffer('order', dataset.rows * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST));
        ctx.device.queue.writeBuffer(
          order,
          0,
          config.shuffle ? epochOrder(config.seed, options.epochOffset ?? 0, dataset.rows) : Uint32Array.from({ length: dataset.rows }, (_, i) => i),
        );
        const imageWidth = config.shift > 0 ? dataset.imageWidth! : 0;
        add(batchTable(ctx, 'batches', batches, dataset.inputSize, dataset.outputSize, width(layers[0]!), width(layers[last]!), imageWidth));
        const shifts = add(ctx.createBuffer('shifts', Math.max(1, config.shift > 0 ? dataset.rows : 1) * 8, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST));
        if (config.shift > 0) ctx.device.queue.writeBuffer(shifts, 0, epochShifts(config.seed, options.epochOffset ?? 0, dataset.rows, config.shift));
        add(ctx.storage('goal', batchSize * width(layers[last]!)));
        add(ctx.storage('error', 1));
        add(ctx.storage('correct', 1));
        add(ctx.storage('unused', 4));
        add(ctx.storage('unusedBias', 4));
        const errorLog = add(ctx.storage('errors', 2 * logCapacity));
        for (let l = 0; l <= last; l++) {
          add(ctx.storage(layerName(l), batchSize * width(layers[l]!)));
          if (l > 0) add(ctx.storage(deltaName(l), batchSize * width(layers[l]!)));
        }
        parameterShapes(layers, bias).forEach(([rows, cols], i) => {
          const name = parameterNames(layers, bias)[i]!;
          // A bias is one row; weights have a row per input unit, both padded in the fast plan.
          add(ctx.storage(name, padMatrix(weights[i]!, rows, cols, rows === 1 && name.startsWith('bias') ? 1 : width(rows), width(cols))));
        });
        if (kind === 'teaching') for (let l = 0; l < last; l++) add(ctx.storage(weightDeltaName(l), layers[l]! * layers[l + 1]!));
        const planOptions = { bias, loss, accuracy: dataset.labels !== undefined };
        const plan = planOf(kind, layers, batchSize, config.alpha, planOptions);
        const dispatches = await buildDispatches(ctx, plan, buffers, dataset);
        const tailRows = dataset.rows % batchSize;
        const tailPlan = tailRows ? planOf(kind, layers, tailRows, config.alpha, planOptions) : undefined;
        const tailDispatches = tailPlan ? await buildDispatches(ctx, tailPlan, buffers, dataset) : undefined;
        return new GpuTrainer(ctx, config, dataset, {
          batches,
          plan,
          buffers,
          dispatches,
          tailPlan,
          tailDispatches,
          errorLog,
          logCapacity,
          kind,
          epochOffset: options.epochOffset ?? 0,
        });
      });
    } catch (error) {
      for (const buffer of buffers.values()) ctx.destroyBuffer(buffer);
      throw error;
    }
  }

  get where(): Position {
    return this.cursor.position;
  }

  /** The plan and its dispatches for a batch of the iteration (a smaller last batch has its own). */
  planFor(batch = this.cursor.batch): { plan: readonly PlanStep[]; dispatches: readonly Dispatch[] } {
    return this.batches[batch]!.rows === this.config.batchSize
      ? { plan: this.plan, dispatches: this.dispatches }
      : { plan: this.tailPlan!, dispatches: this.tailDispatches! };
  }

  /** Buffer names, for reading back. */
  get bufferNames(): string[] {
    return [...this.buffers.keys()];
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
    const iteration = this.cursor.iteration;
    let completedIteration = false;
    await this.ctx.scoped(() => {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'GpuTrainer.runDispatch' });
      const pass = encoder.beginComputePass({ label: dispatch.label });
      encodeDispatch(pass, dispatch, dispatch.dynamic ? [batch * this.stride] : undefined);
      pass.end();
      this.cursor.dispatch++;
      if (this.cursor.dispatch === dispatches.length) completedIteration = this.cursor.finishBatch();
      if (completedIteration) this.endIteration(encoder, 0);
      this.ctx.device.queue.submit([encoder.finish()]);
    });
    const result: DispatchRun = { step: plan[index]!, dispatch, index, batch, batchDone: this.cursor.dispatch === 0 };
    if (completedIteration) {
      result.completed = this.logEntry(iteration, await this.ctx.read(this.errorLog, 0, 8), 0);
      this.startIteration();
    } else await this.ctx.idle();
    return result;
  }

  /** Moves the iteration's error and correct count into log slot `slot` and clears them. */
  private endIteration(encoder: GPUCommandEncoder, slot: number): void {
    const error = this.buffers.get('error')!;
    const correct = this.buffers.get('correct')!;
    encoder.copyBufferToBuffer(error, 0, this.errorLog, slot * 8, 4);
    encoder.copyBufferToBuffer(correct, 0, this.errorLog, slot * 8 + 4, 4);
    encoder.clearBuffer(error);
    encoder.clearBuffer(correct);
  }

  private logEntry(iteration: number, log: Float32Array, slot: number): IterationError {
    const entry: IterationError = { iteration, error: log[2 * slot]! };
    if (this.dataset.labels) entry.correct = log[2 * slot + 1]!;
    return entry;
  }

  /** The order of the examples (when shuffling) and alpha (when it decays) for the iteration about to start. */
  private startIteration(): void {
    const epoch = this.epochOffset + this.cursor.iteration;
    if (this.config.shuffle) {
      this.ctx.device.queue.writeBuffer(this.buffers.get('order')!, 0, epochOrder(this.config.seed, epoch, this.dataset.rows));
    }
    if (this.config.shift > 0) {
      this.ctx.device.queue.writeBuffer(this.buffers.get('shifts')!, 0, epochShifts(this.config.seed, epoch, this.dataset.rows, this.config.shift));
    }
    if (this.config.alphaDecay !== 1) {
      const alpha = alphaAt(this.config, epoch);
      for (const [dispatches, plan] of [
        [this.dispatches, this.plan],
        [this.tailDispatches, this.tailPlan],
      ] as const) {
        dispatches?.forEach((d, i) => {
          const op = plan![i]!.op;
          const rows = op.kind === 'matmulFast' ? op.K : op.kind === 'update' ? this.rowsOf(plan!) : 0;
          if (d.scale) this.ctx.device.queue.writeBuffer(d.scale.buffer, d.scale.offset, new Float32Array([alpha / rows]));
        });
      }
    }
  }

  /** The batch rows a plan was made for (its gather step says). */
  private rowsOf(plan: readonly PlanStep[]): number {
    const gather = plan[0]!.op;
    return gather.kind === 'gather' ? gather.rows : 1;
  }

  /** Batches (updates) per iteration. */
  get batchesPerIteration(): number {
    return this.batches.length;
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
        const log = await this.ctx.read(this.errorLog, 0, completed * 8, encoder);
        for (let i = 0; i < completed; i++) results.push(this.logEntry(firstIteration + i, log, i));
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
    while (done < maxSteps && completed < this.logCapacity) {
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
        this.endIteration(encoder, completed);
        completed++;
        if (this.config.shuffle || this.config.alphaDecay !== 1 || this.config.shift > 0) {
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
    const out: Float32Array[] = [];
    for (const name of parameterNames(this.config.layers, this.config.bias)) out.push(await this.readBuffer(name));
    return out;
  }

  /**
   * The error and the correct count of a forward pass over `data` (a test set) with the current
   * weights, without training: on the GPU, in batches of up to 1,000 rows, one readback.
   */
  async evaluate(data: Dataset): Promise<{ error: number; correct: number; rows: number }> {
    this.assertUsable();
    if (this.width(3) === 3) throw new OptionError('evaluating a test set runs on the fast plan', 'use --plan fast (or auto)');
    if (this.evaluator?.data !== data) {
      this.evaluator?.destroy();
      this.evaluator = undefined;
      this.evaluator = await Evaluator.create(this.ctx, this.config, data, this.buffers, this.width);
    }
    return this.evaluator.run();
  }

  /**
   * A named buffer's current contents (layer_1, layer_2_delta, weights_0_1, error, ...), as the
   * logical matrix: the fast plan's padding is taken out. Layers and deltas hold batchSize rows.
   */
  async readBuffer(name: string): Promise<Float32Array> {
    this.assertUsable();
    const buffer = this.buffers.get(name);
    if (!buffer) throw new RangeError(`no buffer named ${name}`);
    const raw = await this.ctx.read(buffer);
    if (name === 'error' || name === 'errors' || name === 'correct') return raw;
    const [rows, cols] = planBufferShape(name, this.config.layers, this.config.batchSize);
    const stride = this.width(cols);
    if (stride === cols) return raw.subarray(0, rows * cols);
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(raw.subarray(r * stride, r * stride + cols), r * cols);
    return out;
  }

  /** Frees every buffer the trainer made; the context (device) stays. */
  /** Waits until everything submitted has run. */
  idle(): Promise<void> {
    return this.ctx.idle();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const buffer of this.buffers.values()) this.ctx.destroyBuffer(buffer);
    for (const d of [...this.dispatches, ...(this.tailDispatches ?? [])]) for (const b of d.owned) this.ctx.destroyBuffer(b);
    this.evaluator?.destroy();
  }

  private assertUsable(): void {
    if (this.destroyed) throw new Error('this GpuTrainer was destroyed');
    this.ctx.assertHealthy();
  }
}

async function buildDispatches(
  ctx: GpuContext,
  plan: readonly PlanStep[],
  buffers: ReadonlyMap<string, GPUBuffer>,
  dataset: Dataset,
): Promise<Dispatch[]> {
  const get = (name: string): GPUBuffer => {
    const buffer = buffers.get(name);
    if (!buffer) throw new Error(`plan names a buffer that was not made: ${name}`);
    return buffer;
  };
  const out: Dispatch[] = [];
  for (const step of plan) {
    const { op } = step;
    const label = step.numpy;
    switch (op.kind) {
      case 'gather': {
        out.push(
          await gather(
            ctx,
            label,
            {
              batches: get('batches'),
              order: get('order'),
              inputs: get('inputs'),
              targets: get('targets'),
              layer0: get(op.layer),
              goal: get(op.goal),
              shifts: get('shifts'),
            },
            op.rows,
            dataset.inputSize,
            dataset.outputSize,
          ),
        );
        break;
      }
      case 'matmul':
        out.push(await matmul(ctx, { ...op, label, a: get(op.a), b: get(op.b), c: get(op.c) }));
        break;
      case 'relu':
        out.push(await relu(ctx, label, get(op.layer), op.count));
        break;
      case 'outputDelta':
        out.push(
          await outputDelta(
            ctx,
            label,
            { prediction: get(op.prediction), goal: get(op.goal), delta: get(op.delta), error: get(op.error) },
            op.paddedCount ?? op.count,
          ),
        );
        break;
      case 'relu2deriv':
        out.push(await relu2deriv(ctx, label, get(op.layer), get(op.delta), op.count));
        break;
      case 'update':
        out.push(await update(ctx, label, get(op.weightDelta), get(op.weights), op.count, Math.fround(op.scale)));
        break;
      case 'softmaxDelta':
        out.push(
          await softmaxDelta(
            ctx,
            label,
            { logits: get(op.prediction), goal: get(op.goal), delta: get(op.delta), error: get(op.error) },
            op.rows,
            op.n,
            op.width,
          ),
        );
        break;
      case 'accuracy':
        out.push(await accuracy(ctx, label, { prediction: get(op.prediction), goal: get(op.goal), correct: get(op.correct) }, op.rows, op.n, op.width));
        break;
      case 'matmulFast':
        out.push(
          await matmulFast(ctx, {
            label,
            form: op.form,
            epilogue: op.epilogue,
            a: get(op.a),
            b: get(op.b),
            c: get(op.c),
            ...(op.mask ? { mask: get(op.mask) } : {}),
            ...(op.bias ? { bias: get(op.bias) } : {}),
            unusedMask: get('unused'),
            unusedBias: get('unusedBias'),
            ...op.padded,
            scale: Math.fround(op.scale ?? 0),
          }),
        );
        break;
    }
  }
  return out;
}

/** rows × cols values in a zeroed (height × stride) matrix: the fast plan's padded layout. */
function padMatrix(values: ArrayLike<number>, rows: number, cols: number, height: number, stride: number): Float32Array {
  const out = new Float32Array(height * stride);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * stride + c] = values[r * cols + c]!;
  return out;
}

/**
 * Forward passes over a test set with the trainer's weights: its own copy of the data and its own
 * activations (so training state is untouched), every batch in one submit, then one readback of
 * the summed error and correct count.
 */
class Evaluator {
  private constructor(
    readonly ctx: GpuContext,
    readonly data: Dataset,
    private readonly own: GPUBuffer[],
    private readonly dispatches: { list: Dispatch[]; offset: number }[],
    private readonly result: GPUBuffer,
  ) {}

  static async create(
    ctx: GpuContext,
    config: TrainConfig,
    data: Dataset,
    trainerBuffers: ReadonlyMap<string, GPUBuffer>,
    width: (n: number) => number,
  ): Promise<Evaluator> {
    const { layers, bias, loss } = config;
    const rows = Math.min(1000, data.rows);
    const batches = makeBatches(data.rows, rows);
    const last = layers.length - 1;
    const own: GPUBuffer[] = [];
    const buffers = new Map(trainerBuffers);
    const add = (name: string, buffer: GPUBuffer): void => {
      own.push(buffer);
      buffers.set(name, buffer);
    };
    try {
      return await ctx.scoped(async () => {
        add('inputs', ctx.storage('eval.inputs', data.inputs));
        add('targets', ctx.storage('eval.targets', data.targets));
        const order = ctx.createBuffer('eval.order', data.rows * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
        ctx.device.queue.writeBuffer(order, 0, Uint32Array.from({ length: data.rows }, (_, i) => i));
        add('order', order);
        add('batches', batchTable(ctx, 'eval.batches', batches, data.inputSize, data.outputSize, width(layers[0]!), width(layers[last]!)));
        add('goal', ctx.storage('eval.goal', rows * width(layers[last]!)));
        add('error', ctx.storage('eval.error', 1));
        add('correct', ctx.storage('eval.correct', 1));
        for (let l = 0; l <= last; l++) {
          add(layerName(l), ctx.storage(`eval.${layerName(l)}`, rows * width(layers[l]!)));
        }
        add(deltaName(last), ctx.storage(`eval.${deltaName(last)}`, rows * width(layers[last]!)));
        const result = ctx.storage('eval.result', 2);
        own.push(result);
        const dispatches: { list: Dispatch[]; offset: number }[] = [];
        const stride = batchStride(ctx);
        for (const [b, batch] of batches.entries()) {
          if (b > 0 && batch.rows === rows) {
            dispatches.push({ list: dispatches[0]!.list, offset: b * stride });
            continue;
          }
          // The forward steps of the fast plan, then the loss and the accuracy.
          const plan = planOf('fast', layers, batch.rows, config.alpha, { bias, loss, accuracy: true }).filter(
            (step) =>
              step.op.kind === 'gather' ||
              (step.op.kind === 'matmulFast' && step.op.form === 'forward') ||
              step.op.kind === 'outputDelta' ||
              step.op.kind === 'softmaxDelta' ||
              step.op.kind === 'accuracy',
          );
          const list = await buildDispatches(ctx, plan, buffers, data);
          for (const d of list) own.push(...d.owned);
          dispatches.push({ list, offset: b * stride });
        }
        return new Evaluator(ctx, data, own, dispatches, result);
      });
    } catch (error) {
      for (const buffer of own) ctx.destroyBuffer(buffer);
      throw error;
    }
  }

  async run(): Promise<{ error: number; correct: number; rows: number }> {
    const encoder = this.ctx.device.createCommandEncoder({ label: 'Evaluator.run' });
    const pass = encoder.beginComputePass({ label: 'Evaluator.batches' });
    for (const { list, offset } of this.dispatches) for (const d of list) encodeDispatch(pass, d, d.dynamic ? [offset] : undefined);
    pass.end();
    const error = this.own.find((b) => b.label === 'eval.error')!;
    const correct = this.own.find((b) => b.label === 'eval.correct')!;
    encoder.copyBufferToBuffer(error, 0, this.result, 0, 4);
    encoder.copyBufferToBuffer(correct, 0, this.result, 4, 4);
    encoder.clearBuffer(error);
    encoder.clearBuffer(correct);
    const [e, c] = await this.ctx.read(this.result, 0, 8, encoder);
    return { error: e!, correct: c!, rows: this.data.rows };
  }

  destroy(): void {
    for (const buffer of this.own) this.ctx.destroyBuffer(buffer);
  }
}
