// One training run on the page: the GPU trainer (or, without WebGPU, the CPU reference alone) and
// its CPU shadow, driven an iteration or a dispatch at a time. Every operation goes through one
// queue, so a click while a readback is pending waits its turn instead of mapping a buffer twice;
// pause and reset take effect between operations, and nothing trained is lost.

import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import { planBufferShape, type PlanStep } from '../train/plan.js';
import { ShadowCheck } from '../train/check.js';
import type { TrainConfig } from '../train/config.js';
import type { Position } from '../train/cursor.js';
import { GpuTrainer, type IterationError } from '../train/gpuTrainer.js';
import { assertFinite } from '../train/run.js';

export interface BufferView {
  name: string;
  rows: number;
  cols: number;
  /** What the GPU holds after the dispatch (or the CPU, without a GPU). */
  values: Float32Array | Float64Array;
  /** The CPU reference's value of the same buffer. */
  reference: Float64Array;
  maxDiff: number;
}

export interface DispatchView {
  step: PlanStep;
  index: number;
  batch: number;
  iteration: number;
  workgroups: readonly [number, number, number] | undefined;
  /** The kernel's override constants (workgroup size, transposes), on the GPU. */
  constants: Readonly<Record<string, number | boolean>> | undefined;
  read: BufferView[];
  written: BufferView[];
}

export interface CheckState {
  /** Largest |gpu − cpu| of any weight at any comparison so far. */
  maxDiff: number;
  /** The step-growing bound at the last comparison. */
  bound: number;
  ok: boolean;
  detail?: string | undefined;
}

export class Session {
  readonly shadow: ShadowCheck;
  /** Error per completed iteration, from the GPU (or the CPU without one). */
  readonly trace: IterationError[] = [];
  /** The CPU reference's error per completed iteration. */
  readonly referenceTrace: IterationError[] = [];
  weights: Float32Array[] | Float64Array[];
  check: CheckState = { maxDiff: 0, bound: 0, ok: true };
  lastDispatch: DispatchView | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopRequested = false;
  private closed = false;

  private constructor(
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    readonly initialWeights: readonly Float64Array[],
    readonly gpu: GpuTrainer | undefined,
  ) {
    // Without a GPU the reference is the run itself, from the float64 weights as numpy has them.
    this.shadow = new ShadowCheck(config, dataset, initialWeights, gpu !== undefined);
    this.weights = initialWeights.map((w) => Float32Array.from(w));
  }

  static async create(config: TrainConfig, dataset: Dataset, weights: Float64Array[], ctx?: GpuContext): Promise<Session> {
    const gpu = ctx ? await GpuTrainer.create(ctx, config, dataset, weights) : undefined;
    return new Session(config, dataset, weights, gpu);
  }

  get onGpu(): boolean {
    return this.gpu !== undefined;
  }

  get where(): Position {
    return this.gpu ? this.gpu.where : this.shadow.cpu.where;
  }

  get done(): boolean {
    return this.where.iteration >= this.config.iterations;
  }

  /** The plan of the batch that runs next. */
  get plan(): readonly PlanStep[] {
    return this.gpu ? this.gpu.planFor().plan : this.shadow.cpu.planFor();
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw new Error('this run was reset');
      return work();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs the rest of the current iteration; returns its error. */
  runIteration(): Promise<IterationError | undefined> {
    return this.enqueue(async () => {
      if (this.done) return undefined;
      const steps = Math.max(1, this.shadow.cpu.batches.length - this.where.batch);
      let done: IterationError[];
      if (this.gpu) {
        done = await this.gpu.run(steps);
        const reference = this.shadow.run(steps);
        this.referenceTrace.push(...reference);
        this.weights = await this.gpu.readWeights();
        this.compare();
        this.shadow.compareErrors(done, reference);
      } else {
        done = this.shadow.run(steps);
        this.referenceTrace.push(...done);
        this.weights = this.shadow.cpu.weights.map((w) => Float64Array.from(w));
      }
      for (const entry of done) assertFinite(entry, this.config);
      this.trace.push(...done);
      this.lastDispatch = undefined;
      return done.at(-1);
    });
  }

  /** Runs the next dispatch alone and reads back every buffer it touched, beside the CPU's. */
  runDispatch(): Promise<DispatchView> {
    return this.enqueue(async () => {
      const iteration = this.where.iteration;
      const reference = this.shadow.runDispatch();
      if (reference.completed) this.referenceTrace.push(reference.completed);
      let workgroups: readonly [number, number, number] | undefined;
      let constants: Readonly<Record<string, number | boolean>> | undefined;
      let completed = reference.completed;
      if (this.gpu) {
        const run = await this.gpu.runDispatch();
        workgroups = run.dispatch.workgroups;
        constants = run.dispatch.kernel.constants;
        completed = run.completed;
        if (run.batchDone) {
          this.weights = await this.gpu.readWeights();
          this.compare();
        }
      } else if (reference.batchDone) {
        this.weights = this.shadow.cpu.weights.map((w) => Float64Array.from(w));
      }
      if (completed) {
        assertFinite(completed, this.config);
        this.trace.push(completed);
      }
      const { step } = reference;
      const names = (list: readonly string[]): string[] => [...new Set(list)];
      const { reads, writes } = touched(step);
      const view: DispatchView = {
        step,
        index: reference.index,
        batch: reference.batch,
        iteration,
        workgroups,
        constants,
        read: await this.views(names(reads.filter((n) => !writes.includes(n))), reference.batch),
        written: await this.views(names(writes), reference.batch),
      };
      this.lastDispatch = view;
      return view;
    });
  }

  /**
   * Runs iteration after iteration until done, paused or reset; `onProgress` is called after each,
   * and `yieldFrame` between them so the page can draw.
   */
  async runToEnd(onProgress: () => void, yieldFrame: () => Promise<void>): Promise<void> {
    this.stopRequested = false;
    while (!this.done && !this.stopRequested && !this.closed) {
      await this.runIteration();
      onProgress();
      await yieldFrame();
    }
  }

  /** Stops a runToEnd after the iteration in flight; nothing is lost. */
  pause(): void {
    this.stopRequested = true;
  }

  /** Waits for the operation in flight, then frees the GPU buffers. */
  async close(): Promise<void> {
    this.stopRequested = true;
    await this.queue;
    this.closed = true;
    this.gpu?.destroy();
  }

  private compare(): void {
    const c = this.shadow.compareWeights(this.weights as Float32Array[]);
    this.check = {
      maxDiff: Math.max(this.check.maxDiff, c.maxDiff),
      bound: c.bound,
      ok: this.check.ok && c.ok,
      detail: this.check.detail ?? c.detail,
    };
  }

  private async views(names: string[], batch: number): Promise<BufferView[]> {
    const rows = this.shadow.cpu.batches[batch]!.rows;
    const out: BufferView[] = [];
    for (const name of names) {
      const [r, cols] = planBufferShape(name, this.config.layers, rows);
      const reference = this.shadow.cpu.buffers.get(name)!.slice(0, r * cols);
      const values = this.gpu ? (await this.gpu.readBuffer(name)).slice(0, r * cols) : reference;
      let maxDiff = 0;
      for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(values[i]! - reference[i]!));
      out.push({ name, rows: r, cols, values, reference, maxDiff });
    }
    return out;
  }
}

/** The buffers a step reads and writes, by name. */
export function touched(step: PlanStep): { reads: string[]; writes: string[] } {
  const { op } = step;
  switch (op.kind) {
    case 'gather':
      return { reads: [], writes: [op.layer, op.goal] };
    case 'matmul':
      return { reads: [op.a, op.b], writes: [op.c] };
    case 'relu':
      return { reads: [], writes: [op.layer] };
    case 'outputDelta':
      return { reads: [op.prediction, op.goal], writes: [op.delta, op.error] };
    case 'relu2deriv':
      return { reads: [op.layer], writes: [op.delta] };
    case 'update':
      return { reads: [op.weightDelta], writes: [op.weights] };
  }
}
