// One run of the seed's lesson on the page: the run engine (whole iterations on the fastest plan
// for the network, the CPU shadow compared after every chunk) and, beside it, one dispatch at a
// time on the teaching plan. Every operation goes through the engine's queue, so a click while a
// readback is pending waits its turn; pause and reset take effect between operations, and nothing
// trained is lost. With an edited kernel (the shader lab), runs are graded dispatch by dispatch.

import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import type { TrainConfig } from '../train/config.js';
import { Engine } from '../train/engine.js';
import { GpuTrainer } from '../train/gpuTrainer.js';
import type { Plan } from '../train/plan.js';
import type { Checkpoint, IterationError, Position } from '../train/types.js';
import { DispatchStepper } from './dispatchStepper.js';
import type { DispatchView } from './dispatchView.js';
import { failureError, gradeDispatch, watchdog, type Failure } from './grading.js';
import type { StepTimings } from './lessons/lesson.js';
import { LoopGuardError } from '../errors.js';
import { LOOP_GUARD_LIMIT, readLoopGuard } from '../gpu/loopGuard.js';

export interface CheckState {
  /** Largest |gpu − cpu| of any weight at any comparison so far. */
  maxDiff: number;
  /** The step-growing bound at the last comparison. */
  bound: number;
  ok: boolean;
  detail?: string | undefined;
}

/** Time between redraws of a run, in ms. */
const FRAME_MS = 50;

export class Session {
  /** The first dispatch of a graded run whose buffers the CPU computed otherwise, if any. */
  failure: Failure | undefined;
  /** Where a graded run went wrong, in words, until a step back undoes it. */
  private gradedFailure: string | undefined;
  /** Where a loop of an edited kernel was stopped by its guard, if one was. */
  loopStopped: string | undefined;
  private readonly stepper: DispatchStepper;
  private stopRequested = false;

  private constructor(readonly engine: Engine) {
    this.stepper = new DispatchStepper(engine);
  }

  /**
   * `ctx` carries the shader lab's edits, if any (GpuContext.withEdits). `grade`: a run with an
   * edit stops at the first dispatch the CPU computes otherwise; without it the run goes on, still
   * compared with the CPU after every chunk, so a student can watch a bug ruin training.
   */
  static async create(config: TrainConfig, dataset: Dataset, weights: Float64Array[], ctx: GpuContext | undefined, grade = true): Promise<Session> {
    // On the teaching plan first: the page shows its dispatches before anything runs. With an
    // edited kernel, only on it: the lab edits the teaching plan's files, which the faster plans
    // (fused kernels) would not run.
    const edited = (ctx?.edits.size ?? 0) > 0;
    const engine = await Engine.create({ config, dataset, weights, ctx, shadow: true, showWeights: true, start: 'teaching', ...(edited ? { plan: 'teaching' as const } : {}) });
    const session = new Session(engine);
    session.grade = grade;
    return session;
  }

  /** Whether runs with an edited kernel are graded dispatch by dispatch (the lab's choice). */
  private grade = true;

  /** Edited kernels that run ungraded: compared after every chunk, never stopped. */
  get ungraded(): boolean {
    return !this.grade && (this.engine.ctx?.edits.size ?? 0) > 0;
  }

  get config(): TrainConfig {
    return this.engine.config;
  }

  get dataset(): Dataset {
    return this.engine.dataset;
  }

  get onGpu(): boolean {
    return this.engine.ctx !== undefined;
  }

  /** Error per completed iteration, from the GPU (or the CPU without one). */
  get trace(): readonly IterationError[] {
    return this.engine.record.errors;
  }

  /** The CPU reference's error per completed iteration. */
  get referenceTrace(): readonly IterationError[] {
    return this.onGpu ? this.engine.record.referenceErrors : this.engine.record.errors;
  }

  get weights(): Float32Array[] | Float64Array[] {
    return this.engine.weights;
  }

  /** The weights read back at the last iteration's end: what a resumed run starts from. */
  get checkpoint(): Checkpoint {
    return this.engine.checkpoint;
  }

  get where(): Position {
    return this.engine.where;
  }

  get done(): boolean {
    return this.engine.done;
  }

  /** The plan of the batch that runs next. */
  get plan(): Plan {
    return this.engine.reference.planFor();
  }

  /** Batches (updates) per iteration. */
  get batches(): number {
    return this.engine.batchesPerIteration;
  }

  get lastDispatch(): DispatchView | undefined {
    return this.stepper.last;
  }

  get canStepBack(): boolean {
    return this.stepper.canStepBack;
  }

  /** GPU against CPU so far: the shadow's comparisons, and a graded run's verdict. */
  get check(): CheckState {
    const c = this.engine.check ?? { maxDiff: 0, bound: 0, ok: true, firstFailure: undefined };
    return { maxDiff: c.maxDiff, bound: c.bound, ok: c.ok && this.gradedFailure === undefined, detail: this.gradedFailure ?? c.firstFailure };
  }

  /** With an edited kernel on a GPU, every run is dispatch by dispatch, every buffer compared with the CPU's at once. */
  get graded(): boolean {
    return this.grade && (this.engine.ctx?.edits.size ?? 0) > 0;
  }

  /** Runs the rest of the current iteration; returns its error. */
  runIteration(): Promise<IterationError | undefined> {
    return this.runIterations(1);
  }

  /** Runs `count` iterations (the first finishing the current one); returns the last one's error. */
  async runIterations(count: number): Promise<IterationError | undefined> {
    if (this.graded) {
      const before = this.trace.length;
      await this.engine.enqueue(() => this.gradedIterations(count));
      return this.trace.slice(before).at(-1);
    }
    const done = await this.engine.iterations(count);
    this.stepper.forget();
    await this.engine.enqueue(() => this.checkLoopGuards(`in iteration ${this.where.iteration}`));
    return done.at(-1);
  }

  /** Runs iteration after iteration until done, paused or reset; `onProgress` and a frame after each chunk of about 50 ms. */
  async runToEnd(onProgress: () => void, yieldFrame: () => Promise<void>): Promise<void> {
    this.stopRequested = false;
    if (this.graded) {
      while (!this.done && !this.stopRequested) {
        await this.runIterations(1);
        onProgress();
        await yieldFrame();
      }
      return;
    }
    await this.engine.runToEnd({
      budgetMs: FRAME_MS,
      wholeIterations: true,
      shouldStop: () => this.stopRequested,
      look: async () => {
        this.stepper.forget();
        await this.checkLoopGuards(`in iteration ${this.where.iteration} or before`);
        onProgress();
        await yieldFrame();
      },
    });
  }

  /** Runs the next dispatch alone and reads back every buffer it touched, beside the CPU's. */
  runDispatch(): Promise<DispatchView> {
    return this.engine.enqueue(async () => {
      if (this.graded) return this.gradedDispatch();
      const view = await this.stepper.next();
      await this.checkLoopGuards(`at dispatch ${view.index + 1} (${view.step.numpy})`);
      return view;
    });
  }

  /** With edited kernels, whether a loop of theirs was stopped by its guard since the last look: if so, the run stops here, saying where. */
  private async checkLoopGuards(where: string): Promise<void> {
    const ctx = this.engine.ctx;
    if (!ctx || ctx.edits.size === 0) return;
    const trip = await readLoopGuard(ctx);
    if (!trip) return;
    this.loopStopped = `the loop at line ${trip.line} of shaders/${trip.file}.wgsl`;
    this.gradedFailure = `${this.loopStopped} was stopped ${where}`;
    throw new LoopGuardError(trip.file, trip.line, LOOP_GUARD_LIMIT, where);
  }

  /** Puts back the buffers the last dispatch wrote, on the GPU and in the shadow, bit for bit. */
  stepBack(): Promise<void> {
    return this.engine.enqueue(async () => {
      if (!this.stepper.canStepBack) return;
      await this.stepper.back();
      this.gradedFailure = undefined;
    });
  }

  private async gradedIterations(count: number): Promise<void> {
    const target = Math.min(this.config.iterations, this.where.iteration + count);
    while (this.where.iteration < target) await this.gradedDispatch();
    this.stepper.forget();
  }

  /** A dispatch of an edited kernel: given up on if it runs past the watchdog; the first difference beyond the tolerance is kept and thrown. */
  private async gradedDispatch(): Promise<DispatchView> {
    const view = await watchdog(this.stepper.next(), () => this.engine.ctx?.device.destroy());
    await this.checkLoopGuards(`at dispatch ${view.index + 1} (${view.step.numpy})`);
    const failure = gradeDispatch(view);
    if (failure) {
      this.failure = failure;
      this.gradedFailure = `dispatch ${view.index + 1} (${view.step.numpy}) wrote ${failure.buffer} differently from the CPU`;
      throw failureError(failure);
    }
    return view;
  }

  /**
   * One step of the teaching plan and one of the fast plan, each dispatch timed in a pass of its
   * own, on trainers made from the current weights for the purpose (the run is not touched).
   */
  timeStep(): Promise<StepTimings> {
    return this.engine.enqueue(async () => {
      const out: StepTimings = [];
      for (const plan of ['teaching', 'fast'] as const) {
        const trainer = await GpuTrainer.create(this.engine.ctx!, this.config, this.dataset, this.weights, { plan });
        try {
          out.push({ plan, rows: await trainer.timeBatch(0) });
        } finally {
          trainer.destroy();
        }
      }
      return out;
    });
  }

  /** Goes on from the last checkpoint on a new device. */
  async resume(ctx: GpuContext): Promise<void> {
    await this.engine.recover(ctx);
    this.stepper.forget();
    await this.engine.enqueue(() => this.engine.stepper());
  }

  /** Stops a runToEnd after the chunk in flight; nothing is lost. */
  pause(): void {
    this.stopRequested = true;
  }

  /** Waits for the operation in flight, then frees the GPU buffers. */
  async close(): Promise<void> {
    this.stopRequested = true;
    await this.engine.close();
  }
}
