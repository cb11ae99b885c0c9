// The run engine: one training run, whoever drives it (the command, the seed's lesson, the digits
// lesson, the tests). It owns a trainer (a GPU plan, or the CPU reference), a queue so that no two
// operations overlap, the run's record (every iteration's error, the stuck warning, the epochs'
// evaluations), the checks that stop a diverging run (knowing the data's scale), checkpoints (the
// weights read back at log points), going on from a checkpoint on a new device, and the CPU shadow
// as an observer of the steps. The adapters only say how far to run and what to show.

import type { Dataset } from '../data/dataset.js';
import { DeviceLostError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { ChunkSizer, roundToIterations, stepsToBoundary } from './chunks.js';
import type { TrainConfig } from './config.js';
import type { CpuExecutor } from './cpuExecutor.js';
import { CpuTrainer } from './cpuTrainer.js';
import { isLogged, testDivergence } from './divergence.js';
import { RunRecord } from './record.js';
import { GpuTrainer } from './gpuTrainer.js';
import { ShadowCheck } from './check.js';
import { createTrainer, resolvePlan, type Backend, type PlanChoice, type Trainer } from './trainer.js';
import type { Checkpoint, CheckSummary, EpochReport, IterationError, Position } from './types.js';

export interface EngineSpec {
  config: TrainConfig;
  dataset: Dataset;
  /** A held-out set: with classification data, each logged epoch is followed by its evaluation. */
  test?: Dataset | undefined;
  weights: readonly ArrayLike<number>[];
  /** The GPU to train on; without it the CPU reference trains alone. */
  ctx?: GpuContext | undefined;
  /** How the GPU trains whole iterations: 'auto' (the default), 'fast', 'resident' or 'teaching'. */
  plan?: PlanChoice;
  /** Shadow the GPU with the float64 CPU reference, compared after every chunk, or after every step ('step'). */
  shadow?: boolean | 'step';
  /** Read the weights back after every chunk that ends an iteration (a page that draws them), not only at log points. */
  showWeights?: boolean;
  /**
   * Keep every iteration's error (the default); false keeps only the first, the last and what the
   * stuck warning needs, so memory does not grow with the iterations (the command).
   */
  keepErrors?: boolean;
  /** The GPU plan the run starts on, if not the one whole iterations run on (the page starts on the teaching plan, to step it). */
  start?: Backend;
  /** Evaluate the test set after every epoch (the digits lesson), not only after logged ones (the command). */
  evaluateEveryEpoch?: boolean;
  /** Called for every logged iteration, in order. */
  onLog?: (entry: IterationError) => void;
  /** Called after each logged epoch of a classification run. */
  onEpoch?: (report: EpochReport) => void;
  /** Called at every checkpoint. */
  onCheckpoint?: (checkpoint: Checkpoint, ctx: GpuContext | undefined) => void;
}

/** How runToEnd() goes: how often it looks up, and what it does then. */
export interface Drive {
  /** Time between looks, in ms; without it each chunk runs to the next log point unwatched. */
  budgetMs?: number;
  /** Chunks of whole iterations (the seed's lesson), not of steps. */
  wholeIterations?: boolean;
  /** Asked after every chunk: true stops the run there, nothing lost. */
  shouldStop?: () => boolean;
  /** After every chunk: redraw, report progress, give the event loop a turn. */
  look?: () => void | Promise<void>;
}

export class Engine {
  readonly config: TrainConfig;
  readonly dataset: Dataset;
  /** The errors of the iterations done (and the shadow's), the epochs' evaluations. */
  readonly record: RunRecord;
  /** The weights last read back (the starting ones at first). */
  weights: Float32Array[] | Float64Array[];
  checkpoint: Checkpoint;
  /** Devices lost and replaced. */
  recoveries = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Iterations done before the current trainer was made: its count starts there. */
  private offset: number;
  private trainer!: Trainer;
  private backend!: Backend;
  private shadow: ShadowCheck | undefined;
  /** Iterations done before the shadow was made. */
  private shadowOffset = 0;
  private readonly started = performance.now();

  private constructor(
    private readonly spec: EngineSpec,
    private ctxNow: GpuContext | undefined,
  ) {
    this.config = spec.config;
    this.dataset = spec.dataset;
    this.record = new RunRecord(spec.config, spec.dataset, spec.keepErrors ?? true, spec.onLog);
    const from = { iteration: 0, weights: spec.weights.map((w) => Float64Array.from(w)) };
    this.offset = from.iteration;
    this.checkpoint = from;
    this.weights = from.weights.map((w) => (spec.ctx ? Float32Array.from(w) : Float64Array.from(w))) as Float32Array[] | Float64Array[];
  }

  static async create(spec: EngineSpec): Promise<Engine> {
    const engine = new Engine(spec, spec.ctx);
    await engine.build(spec.ctx && spec.start ? spec.start : engine.runBackend, engine.checkpoint);
    engine.makeShadow();
    return engine;
  }

  get ctx(): GpuContext | undefined {
    return this.ctxNow;
  }

  /** The plan whole iterations run on: the spec's, resolved for this network. */
  get runBackend(): Backend {
    return this.ctxNow ? resolvePlan(this.spec.plan ?? 'auto', this.config) : 'cpu';
  }

  get batchesPerIteration(): number {
    return this.trainer.batchesPerIteration;
  }

  /** Where the run stands, counted from its start. */
  get where(): Position {
    const w = this.trainer.where;
    return { ...w, iteration: w.iteration + this.offset, steps: w.steps + this.offset * this.trainer.batchesPerIteration };
  }

  get done(): boolean {
    return this.where.iteration >= this.config.iterations;
  }

  get totalSteps(): number {
    return this.config.iterations * this.trainer.batchesPerIteration;
  }

  /** The float64 executor beside the run: the shadow on a GPU, the trainer itself on the CPU. */
  get reference(): CpuExecutor {
    if (this.shadow) return this.shadow.cpu;
    if (this.trainer instanceof CpuTrainer) return this.trainer.executor;
    throw new Error('a GPU run without a shadow has no reference beside it');
  }

  /** The CPU shadow, on a GPU run that has one. */
  get shadowCheck(): ShadowCheck | undefined {
    return this.shadow;
  }

  /** Iterations done before the reference executor was made: its count starts there. */
  get referenceOffset(): number {
    return this.shadow ? this.shadowOffset : this.offset;
  }

  /** What the shadow found so far; undefined for a run without one. */
  get check(): CheckSummary | undefined {
    return this.shadow?.summary;
  }

  get timeMs(): number {
    return performance.now() - this.started;
  }

  /** Runs `work` after every operation queued before it. A lost device's error carries the last checkpoint. */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.closed) throw new Error('this run was reset');
      try {
        return await work();
      } catch (error) {
        if (error instanceof DeviceLostError) Object.assign(error, { checkpoint: this.checkpoint });
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Makes the trainer for `backend` from `from`'s weights. */
  private async build(backend: Backend, from: Checkpoint): Promise<void> {
    const old = this.trainer as Trainer | undefined;
    old?.destroy();
    this.offset = from.iteration;
    this.trainer = await createTrainer(backend === 'cpu' ? undefined : this.ctxNow, this.config, this.dataset, from.weights, backend === 'cpu' ? 'auto' : backend, from.iteration);
    this.backend = backend;
  }

  /** On a GPU with a shadow asked for: the CPU reference from the checkpoint's weights, as float32 gave them; what the last one found is kept. */
  private makeShadow(): void {
    if (!this.ctxNow || !this.spec.shadow) return;
    const { iteration, weights } = this.checkpoint;
    this.shadow = new ShadowCheck(this.config, this.dataset, weights, true, iteration, this.shadow);
    this.shadowOffset = iteration;
  }

  /**
   * The trainer, on `backend`: made again from the current weights if another one trains now. Only
   * between iterations, unless it is already that one.
   */
  async use(backend: Backend): Promise<Trainer> {
    if (this.backend !== backend) {
      const where = this.where;
      if (where.batch !== 0 || where.dispatch !== 0) throw new Error(`the ${this.backend} plan is part-way through iteration ${where.iteration + 1}`);
      const weights = await this.trainer.readWeights();
      await this.build(backend, { iteration: where.iteration, weights });
    }
    return this.trainer;
  }

  /** Runs until `count` more iterations are complete (finishing the current one first). */
  iterations(count: number): Promise<IterationError[]> {
    return this.enqueue(async () => {
      const target = Math.min(this.config.iterations, this.where.iteration + count);
      const done: IterationError[] = [];
      while (!this.closed && this.where.iteration < target) {
        const where = this.where;
        const steps = Math.min((target - where.iteration) * this.batchesPerIteration - where.batch, this.boundary());
        for (const entry of await this.advance(steps, false)) done.push(entry);
      }
      return done;
    });
  }

  /**
   * Runs to the end, or until the drive says stop, in chunks sized by time where it looks up. A
   * chunk ends where the weights must be read back (boundary()).
   */
  async runToEnd(drive: Drive = {}): Promise<'done' | 'stopped'> {
    const sizer = drive.budgetMs !== undefined ? new ChunkSizer(drive.budgetMs, drive.wholeIterations ? this.batchesPerIteration : 16) : undefined;
    while (!this.done && !this.closed) {
      const steps = Math.min(sizer?.steps ?? Infinity, this.boundary(), drive.wholeIterations ? Infinity : this.spec.shadow === 'step' ? 1 : Infinity);
      const chunk = drive.wholeIterations ? roundToIterations(steps, this.where.batch, this.batchesPerIteration) : steps;
      const began = performance.now();
      await this.enqueue(() => this.advance(chunk, sizer !== undefined));
      sizer?.measured(chunk, performance.now() - began);
      await drive.look?.();
      if (drive.shouldStop?.()) return this.done ? 'done' : 'stopped';
    }
    return 'done';
  }

  /** Steps to where a chunk must end (chunks.ts): each epoch's end when each is evaluated, else each log point, or none on a page that reads the weights after every chunk. */
  private boundary(): number {
    const evaluating = this.spec.test !== undefined && this.dataset.labels !== undefined;
    const ends = evaluating && this.spec.evaluateEveryEpoch ? 'epoch' : this.spec.showWeights && !evaluating ? 'none' : 'log';
    return stepsToBoundary(this.where, this.config, this.batchesPerIteration, ends);
  }

  /**
   * One chunk: a trainer part-way through an iteration on another plan than the run's finishes it
   * first; then the shadow runs the same steps and is compared, the errors are recorded, logged
   * epochs evaluated, and at an iteration's end the weights are a checkpoint.
   */
  private async advance(steps: number, wait: boolean): Promise<IterationError[]> {
    steps = Math.min(steps, this.totalSteps - this.where.steps);
    if (steps <= 0) return [];
    const wanted = this.runBackend;
    const where = this.where;
    if (this.backend !== wanted && where.batch === 0 && where.dispatch === 0) await this.use(wanted);
    else if (this.backend !== wanted) steps = Math.min(steps, this.batchesPerIteration - where.batch);
    const done = shifted(await this.trainer.run(steps), this.offset);
    const end = this.where;
    const atCheckpoint = end.batch === 0 && end.dispatch === 0 && (done.some((e) => isLogged(e.iteration, this.config)) || this.spec.showWeights === true || this.done);
    // A chunk that is timed must have run: a readback of the errors or the weights waits for it, else idle() does.
    if (wait && done.length === 0 && !this.shadow && !atCheckpoint) await this.trainer.idle();
    let weights: Float32Array[] | Float64Array[] | undefined;
    if (this.shadow) {
      weights = await this.trainer.readWeights();
      const reference = shifted(this.shadow.run(steps), this.shadowOffset);
      this.shadow.compareWeights(weights as Float32Array[]);
      this.shadow.compareErrors(done, reference);
      this.record.addReference(reference);
    }
    this.addIterations(done);
    if (atCheckpoint) weights ??= await this.trainer.readWeights();
    if (weights) this.weights = weights;
    if (this.dataset.labels) for (const entry of done) await this.report(entry);
    if (atCheckpoint) this.setCheckpoint({ iteration: end.iteration, weights: this.weights });
    return done;
  }

  /** Completed iterations, into the record: each checked for divergence against the last checkpoint's weights. */
  addIterations(entries: readonly IterationError[]): void {
    this.record.add(entries, this.checkpoint);
  }

  /** Weights read back at an iteration's end: what the run goes on from after a lost device. */
  setCheckpoint(checkpoint: Checkpoint): void {
    this.checkpoint = checkpoint;
    this.spec.onCheckpoint?.(checkpoint, this.ctxNow);
  }

  /** After a logged epoch of a classification run: its figures, with the test set's when there is one. */
  private async report(entry: IterationError): Promise<void> {
    if (entry.correct === undefined || !(isLogged(entry.iteration, this.config) || this.spec.evaluateEveryEpoch)) return;
    const rows = this.dataset.rows;
    const epoch: EpochReport = { epoch: entry.iteration, trainError: entry.error / rows, trainAccuracy: entry.correct / rows };
    const { test } = this.spec;
    if (test && this.trainer.evaluate) {
      const t = await this.trainer.evaluate(test);
      epoch.testError = t.error / t.rows;
      epoch.testAccuracy = t.correct / t.rows;
      if (!Number.isFinite(epoch.testError)) throw testDivergence(entry.iteration, epoch.testError, this.config, this.checkpoint);
    }
    this.record.epochs.push(epoch);
    this.spec.onEpoch?.(epoch);
  }

  /** The current weights, read back now (part-way through an iteration too). */
  async readWeights(): Promise<Float32Array[] | Float64Array[]> {
    return this.enqueue(async () => (this.weights = await this.trainer.readWeights()));
  }

  /**
   * Goes on from the last checkpoint on `ctx` (a new device after a loss): what came after it was
   * never confirmed by a readback, so it is forgotten and trained again.
   */
  recover(ctx: GpuContext): Promise<void> {
    return this.enqueue(async () => {
      this.record.forgetFrom(this.checkpoint.iteration);
      this.ctxNow = ctx;
      this.recoveries++;
      await this.build(this.runBackend, this.checkpoint);
      this.makeShadow();
      this.weights = this.checkpoint.weights;
    });
  }

  /** Waits for the operation in flight, then frees the trainer's buffers. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    this.trainer.destroy();
  }

  /** The GPU trainer on the teaching plan, for stepping one dispatch at a time. */
  async stepper(): Promise<GpuTrainer> {
    if (!this.ctxNow) throw new Error('a run on the CPU has no GPU trainer to step');
    return (await this.use('teaching')) as GpuTrainer;
  }
}

/** Errors counted by a trainer made after `offset` iterations, counted from the run's start. */
function shifted(entries: IterationError[], offset: number): IterationError[] {
  if (offset === 0) return entries;
  return entries.map((e) => ({ ...e, iteration: e.iteration + offset }));
}
