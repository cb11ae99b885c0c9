// One training run on the page: the GPU trainer (or, without WebGPU, the CPU reference alone) and
// its CPU shadow, driven an iteration or a dispatch at a time. Every operation goes through one
// queue, so a click while a readback is pending waits its turn instead of mapping a buffer twice;
// pause and reset take effect between operations, and nothing trained is lost.

import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import { shaderOverrides, type Dispatch } from '../gpu/pipeline.js';
import type { Timing } from '../gpu/timing.js';
import type { Step } from '../ops/op.js';
import { failureError, gradeDispatch, watchdog, type Failure } from './grading.js';
import { bindingRows, gridOf, type BufferView, type DispatchView } from './dispatchView.js';
import { unpadded } from '../train/gpuBuffers.js';
import type { Plan } from '../train/plan.js';
import { ShadowCheck } from '../train/check.js';
import type { TrainConfig } from '../train/config.js';
import type { Position } from '../train/cursor.js';
import { GpuTrainer, type IterationError } from '../train/gpuTrainer.js';
import { createTrainer, resolvePlan, type PlanChoice, type Trainer } from '../train/trainer.js';
import { assertFinite, type Checkpoint } from '../train/run.js';
import { appendAll } from '../train/cursor.js';

/** What a step back puts back: the buffers a dispatch wrote, as they were, and the view before it. */
interface Undo {
  gpu: Map<string, Float32Array> | undefined;
  cpu: Map<string, Float64Array>;
  /** Where the GPU trainer and the shadow stood before the dispatch. */
  gpuPosition: Position | undefined;
  cpuPosition: Position;
  view: DispatchView | undefined;
  /** What finishing a batch changes beside the buffers: the weights shown and the check's bound. */
  weights: Float32Array[] | Float64Array[];
  bound: number;
  check: CheckState;
}

export interface CheckState {
  /** Largest |gpu − cpu| of any weight at any comparison so far. */
  maxDiff: number;
  /** The step-growing bound at the last comparison. */
  bound: number;
  ok: boolean;
  detail?: string | undefined;
}

/** Where a session picks up a run: after a device loss, from the last weights read back. */
export interface Resume {
  checkpoint: Checkpoint;
  trace: readonly IterationError[];
  referenceTrace: readonly IterationError[];
}

export class Session {
  readonly shadow: ShadowCheck;
  /** Error per completed iteration, from the GPU (or the CPU without one). */
  readonly trace: IterationError[] = [];
  /** The CPU reference's error per completed iteration. */
  readonly referenceTrace: IterationError[] = [];
  weights: Float32Array[] | Float64Array[];
  /** The weights read back at the last iteration's end: what a resumed run starts from. */
  checkpoint: Checkpoint;
  /** Iterations done before this session started (a resumed run). */
  private readonly offset: number;
  check: CheckState = { maxDiff: 0, bound: 0, ok: true };
  lastDispatch: DispatchView | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopRequested = false;
  private closed = false;
  /**
   * Two GPU trainers, one holding the run's current state at a time: the stepper runs the
   * teaching plan (one dispatch per line of numpy, for stepping and finishing a batch begun that
   * way), the runner whole iterations on the fastest plan for the network (`auto`: the resident
   * loop for the seed's networks). The other is made again from the weights when it is needed.
   */
  private stepper: GpuTrainer | undefined;
  private runner: Trainer | undefined;
  private current: 'stepper' | 'runner' | undefined;
  /** The plan the runner uses, once it has run. */
  runPlan: Exclude<PlanChoice, 'auto'> | undefined;

  private constructor(
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    readonly initialWeights: readonly Float64Array[],
    private readonly ctx: GpuContext | undefined,
    resume: Resume | undefined,
  ) {
    // Without a GPU the reference is the run itself, from the float64 weights as numpy has them.
    this.shadow = new ShadowCheck(config, dataset, initialWeights, ctx !== undefined);
    this.weights = initialWeights.map((w) => (ctx ? Float32Array.from(w) : Float64Array.from(w))) as Float32Array[] | Float64Array[];
    this.offset = resume?.checkpoint.iteration ?? 0;
    this.checkpoint = resume?.checkpoint ?? { iteration: 0, weights: this.weights };
    if (resume) {
      appendAll(this.trace, resume.trace.slice(0, this.offset));
      appendAll(this.referenceTrace, resume.referenceTrace.slice(0, this.offset));
    }
  }

  static async create(config: TrainConfig, dataset: Dataset, weights: Float64Array[], ctx?: GpuContext, resume?: Resume): Promise<Session> {
    const start = resume ? resume.checkpoint.weights.map((w) => Float64Array.from(w)) : weights;
    const session = new Session(config, dataset, start, ctx, resume);
    if (ctx) await session.stepperNow();
    return session;
  }

  /** The stepper, made again from the current weights if the runner ran last (always at an iteration's start). */
  private async stepperNow(): Promise<GpuTrainer> {
    if (this.current !== 'stepper' || !this.stepper) {
      this.stepper?.destroy();
      this.stepper = undefined;
      this.stepper = await GpuTrainer.create(this.ctx!, this.config, this.dataset, this.weights, { epochOffset: this.where.iteration });
      this.current = 'stepper';
    }
    return this.stepper;
  }

  /** The runner, made again from the current weights if the stepper ran last; only at an iteration's start. */
  private async runnerNow(): Promise<Trainer> {
    if (this.current !== 'runner' || !this.runner) {
      this.runner?.destroy();
      this.runner = undefined;
      this.runPlan = resolvePlan('auto', this.config);
      this.runner = await createTrainer(this.ctx!, this.config, this.dataset, this.weights, this.runPlan, this.where.iteration);
      this.current = 'runner';
    }
    return this.runner;
  }

  /** What a new session needs to go on from this one's last checkpoint. */
  get resumePoint(): Resume {
    return { checkpoint: this.checkpoint, trace: this.trace, referenceTrace: this.referenceTrace };
  }

  get onGpu(): boolean {
    return this.ctx !== undefined;
  }

  /** Where the run stands: the shadow always runs the same steps as the GPU. */
  get where(): Position {
    const where = this.shadow.cpu.where;
    // A resumed session counts the iterations and updates made before it too.
    return { ...where, iteration: where.iteration + this.offset, steps: where.steps + this.offset * this.shadow.cpu.batchesPerIteration };
  }

  private shift(entries: IterationError[]): IterationError[] {
    return entries.map((e) => ({ iteration: e.iteration + this.offset, error: e.error }));
  }

  get done(): boolean {
    return this.where.iteration >= this.config.iterations;
  }

  /** The plan of the batch that runs next. */
  get plan(): Plan {
    return this.shadow.cpu.planFor();
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
    return this.runIterations(1);
  }

  /**
   * Runs `count` iterations (the first finishing the current one) in one submit, then reads the
   * weights back once and compares them with the shadow's; returns the last iteration's error.
   */
  runIterations(count: number): Promise<IterationError | undefined> {
    return this.enqueue(async () => {
      if (this.done) return undefined;
      const iterations = Math.max(1, Math.min(count, this.config.iterations - this.where.iteration));
      const steps = iterations * this.shadow.cpu.batches.length - this.where.batch;
      let done: IterationError[];
      let weights: Float32Array[] | Float64Array[];
      if (this.graded) {
        const before = this.trace.length;
        await this.gradedSteps(steps);
        this.lastDispatch = undefined;
        this.undo = [];
        return this.trace.slice(before).at(-1);
      }
      if (this.ctx) {
        // A batch or an iteration begun dispatch by dispatch is finished on the stepper; whole
        // iterations go to the runner.
        const first = this.where.batch > 0 || this.where.dispatch > 0 ? Math.min(steps, this.shadow.cpu.batches.length - this.where.batch) : 0;
        const gpuDone: IterationError[] = [];
        let last: Trainer | GpuTrainer | undefined;
        if (first > 0) appendAll(gpuDone, await (last = await this.stepperNow()).run(first));
        if (steps > first) appendAll(gpuDone, await (last = await this.runnerNow()).run(steps - first));
        weights = await last!.readWeights();
        const reference = this.shift(this.shadow.run(steps));
        // Each trainer counts iterations from where it was made; the shadow's count is the run's.
        done = gpuDone.map((e, i) => ({ iteration: reference[i]!.iteration, error: e.error }));
        appendAll(this.referenceTrace, reference);
        this.shadow.compareErrors(done, reference);
      } else {
        done = this.shift(this.shadow.run(steps));
        appendAll(this.referenceTrace, done);
        weights = this.shadow.cpu.weights.map((w) => Float64Array.from(w));
      }
      for (const entry of done) assertFinite(entry, this.config, this.trace[0]?.error ?? entry.error, this.checkpoint);
      this.weights = weights;
      if (this.ctx) this.compare();
      appendAll(this.trace, done);
      this.checkpoint = { iteration: this.where.iteration, weights };
      this.lastDispatch = undefined;
      this.undo = [];
      return done.at(-1);
    });
  }

  /** Runs the next dispatch alone and reads back every buffer it touched, beside the CPU's. */
  runDispatch(): Promise<DispatchView> {
    return this.enqueue(async () => {
      if (!this.graded) return this.dispatchOnce();
      const view = await this.watched(this.dispatchOnce());
      this.grade(view);
      return view;
    });
  }

  /** The first dispatch of a graded run whose buffers the CPU computed otherwise, if any. */
  failure: Failure | undefined;

  /**
   * With an edited kernel, runs are graded: dispatch by dispatch on the teaching plan, every
   * buffer a dispatch writes compared with the CPU's at once; the first difference beyond the
   * tolerance stops the run and is kept in `failure`.
   */
  get graded(): boolean {
    return this.ctx !== undefined && shaderOverrides().size > 0;
  }

  private async gradedSteps(steps: number): Promise<void> {
    for (let done = 0; done < steps; ) {
      const view = await this.watched(this.dispatchOnce());
      this.grade(view);
      if (view.index === this.plan.steps.length - 1 || this.where.dispatch === 0) done++;
    }
  }

  /** Compares every buffer a dispatch wrote with the CPU's; the first difference beyond the tolerance is kept and thrown. */
  private grade(view: DispatchView): void {
    const failure = gradeDispatch(view);
    if (!failure) return;
    this.failure = failure;
    this.check = { ...this.check, ok: false, detail: `dispatch ${view.index + 1} (${view.step.numpy}) wrote ${failure.buffer} differently from the CPU` };
    throw failureError(failure);
  }

  /** A dispatch of an edited kernel, given up on (the device destroyed) if it runs past the watchdog. */
  private watched<T>(work: Promise<T>): Promise<T> {
    return watchdog(work, () => this.ctx?.device.destroy());
  }

  private async dispatchOnce(): Promise<DispatchView> {
    const iteration = this.where.iteration;
    const startPlan = this.shadow.cpu.planFor();
    const next = startPlan.steps[this.where.dispatch]!;
    const written = [...new Set(next.writes)];
    const stepper = this.ctx ? await this.stepperNow() : undefined;
    const undo: Undo = {
      gpu: stepper ? await stepper.snapshot(written) : undefined,
      cpu: this.shadow.cpu.snapshot(written.filter((n) => this.shadow.cpu.buffers.has(n))),
      gpuPosition: stepper?.where,
      cpuPosition: this.shadow.cpu.where,
      view: this.lastDispatch,
      weights: this.weights,
      bound: this.shadow.currentBound,
      check: this.check,
    };
    const reference = this.shadow.runDispatch();
    if (reference.completed) appendAll(this.referenceTrace, this.shift([reference.completed]));
    let workgroups: readonly [number, number, number] | undefined;
    let constants: Readonly<Record<string, number | boolean>> | undefined;
    let bound: Readonly<Record<string, string>> | undefined;
    let completed = reference.completed && this.shift([reference.completed])[0];
    let dispatch: Dispatch | undefined;
    let timing: Timing | undefined;
    if (stepper) {
      const run = await stepper.runDispatch();
      dispatch = run.dispatch;
      timing = run.timing;
      workgroups = run.dispatch.workgroups;
      constants = run.dispatch.kernel.constants;
      bound = run.dispatch.bound;
      completed = run.completed && { iteration: completed!.iteration, error: run.completed.error };
      if (run.batchDone) {
        const weights = await stepper.readWeights();
        // Weights that stopped being finite are not shown or kept; the iteration's error will say why.
        if (weights.every((w) => w.every(Number.isFinite))) {
          this.weights = weights;
          this.compare();
        }
      }
    } else if (reference.batchDone) {
      this.weights = this.shadow.cpu.weights.map((w) => Float64Array.from(w));
    }
    if (completed) {
      assertFinite(completed, this.config, this.trace[0]?.error ?? completed.error, this.checkpoint);
      this.trace.push(completed);
      this.checkpoint = { iteration: this.where.iteration, weights: this.weights };
    }
    const { step } = reference;
    const plan = startPlan;
    // The dataset itself (inputs, targets) is not shown: only the plan's own buffers.
    const shown = (list: readonly string[]): string[] => [...new Set(list)].filter((n) => plan.buffers.some((b) => b.name === n));
    const before = new Map<string, Float32Array | Float64Array>();
    for (const [name, raw] of undo.gpu ?? new Map<string, Float32Array>()) {
      const spec = plan.buffers.find((b) => b.name === name);
      if (spec) before.set(name, unpadded(raw, spec));
    }
    if (!undo.gpu) for (const [name, values] of undo.cpu) before.set(name, values);
    // A step back works within an iteration: finishing one logs its error.
    this.undo = reference.completed ? [] : [...this.undo, undo];
    const view: DispatchView = {
      step,
      index: reference.index,
      batch: reference.batch,
      iteration,
      workgroups,
      constants,
      bound,
      bindings: dispatch ? bindingRows(dispatch, plan, this.dataset) : [],
      uniforms: dispatch?.uniforms,
      entryPoint: dispatch?.kernel.entryPoint,
      timing,
      grid: dispatch ? gridOf(dispatch, plan) : undefined,
      back: reference.completed
        ? { ok: false, why: 'This dispatch finished the iteration: its error is logged. Step back works within an iteration.' }
        : { ok: true },
      read: await this.views(shown(step.reads.filter((n) => !step.writes.includes(n))), plan),
      written: await this.views(shown(step.writes), plan, before),
    };
    this.lastDispatch = view;
    return view;
  }

  /**
   * One step of the teaching plan and one of the fast plan, each dispatch timed in a pass of its
   * own, on trainers made from the current weights for the purpose (the run is not touched).
   */
  timeStep(): Promise<{ plan: 'teaching' | 'fast'; rows: { step: Step; timing: Timing }[] }[]> {
    return this.enqueue(async () => {
      const out: { plan: 'teaching' | 'fast'; rows: { step: Step; timing: Timing }[] }[] = [];
      for (const plan of ['teaching', 'fast'] as const) {
        const trainer = await GpuTrainer.create(this.ctx!, this.config, this.dataset, this.weights, { plan });
        try {
          out.push({ plan, rows: await trainer.timeBatch(0) });
        } finally {
          trainer.destroy();
        }
      }
      return out;
    });
  }

  /** Snapshots of the dispatches run in the current batch, newest last. */
  private undo: Undo[] = [];

  /** Whether the last dispatch can be undone. */
  get canStepBack(): boolean {
    return this.undo.length > 0;
  }

  /** Puts back the buffers the last dispatch wrote, on the GPU and in the shadow, bit for bit. */
  stepBack(): Promise<void> {
    return this.enqueue(async () => {
      const last = this.undo.pop();
      if (!last) return;
      if (last.gpu) (await this.stepperNow()).restore(last.gpu, last.gpuPosition!);
      this.shadow.cpu.restore(last.cpu, last.cpuPosition);
      this.shadow.currentBound = last.bound;
      this.weights = last.weights;
      this.check = last.check;
      this.lastDispatch = last.view && { ...last.view, back: this.undo.length > 0 ? { ok: true } : { ok: false, why: 'Nothing to step back to in this iteration.' } };
    });
  }



  /**
   * Runs iteration after iteration until done, paused or reset; `onProgress` is called after each,
   * and `yieldFrame` between them so the page can draw.
   */
  async runToEnd(onProgress: () => void, yieldFrame: () => Promise<void>): Promise<void> {
    this.stopRequested = false;
    // As many iterations per frame as fit in about 50 ms of training, then one drawing. Each call
    // has a fixed cost (a readback of the errors and one of the weights), so the chunk is scaled by
    // how far the last call was from the budget, not just halved or doubled: a small net trains
    // hundreds of iterations a second with every view on, a big one still draws after every
    // iteration. Where that fixed cost alone passes the budget (a readback takes about 200 ms in
    // Firefox on SwiftShader, a few ms in Chromium), the budget grows to four times the quickest
    // call, up to half a second, so the readbacks take at most about a quarter of the time: the
    // seed's 60 iterations went from 12 s to a few seconds there.
    let quickest = Infinity;
    let chunk = 1;
    while (!this.done && !this.stopRequested && !this.closed) {
      const started = performance.now();
      await this.runIterations(chunk);
      const took = Math.max(0.5, performance.now() - started);
      quickest = Math.min(quickest, took);
      const budget = Math.min(500, Math.max(50, 4 * quickest));
      chunk = Math.max(1, Math.min(4096, Math.round(chunk * Math.min(4, Math.max(0.25, budget / took)))));
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
    this.stepper?.destroy();
    this.runner?.destroy();
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

  private async views(names: string[], plan: Plan, before?: ReadonlyMap<string, Float32Array | Float64Array>): Promise<BufferView[]> {
    const out: BufferView[] = [];
    // Every buffer read at once: one round trip to the GPU, not one per buffer.
    const read = this.ctx ? await Promise.all(names.map((name) => this.stepper!.readBuffer(name))) : undefined;
    for (const [index, name] of names.entries()) {
      const { rows, cols } = plan.buffers.find((b) => b.name === name)!;
      const reference = this.shadow.cpu.buffers.get(name)!.slice(0, rows * cols);
      const values = read ? read[index]!.slice(0, rows * cols) : reference;
      let maxDiff = 0;
      for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(values[i]! - reference[i]!));
      const was = before?.get(name);
      out.push({ name, rows, cols, values, reference, maxDiff, ...(was ? { before: was.slice(0, rows * cols) } : {}) });
    }
    return out;
  }
}
