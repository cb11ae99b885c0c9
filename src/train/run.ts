// A whole training run in one call, as the command and the tests make it: the run engine driven to
// the end, going on from the last checkpoint on a new device when one is lost.

import { DeviceLostError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { Engine, type EngineSpec } from './engine.js';
import type { PlanChoice } from './trainer.js';
import type { Checkpoint, CheckSummary, EpochReport, IterationError } from './types.js';


export interface TrainRun extends Omit<EngineSpec, 'shadow' | 'showWeights' | 'start' | 'evaluateEveryEpoch' | 'plan'> {
  /** Shadow every GPU step with the CPU reference and compare the weights after each. */
  check?: boolean;
  plan?: PlanChoice;
  /** Called as steps complete (for a progress bar): steps done in the run, and in all. */
  onProgress?: (done: number, total: number) => void;
  /** A new device after the old one was lost; without it a loss ends the run. */
  recover?: () => Promise<GpuContext>;
  /** Called when a lost device is replaced, before the run goes on from `checkpoint`. */
  onRecover?: (lost: DeviceLostError, checkpoint: Checkpoint) => void;
  /** Asked between chunks: true stops the run there, returning the weights then, with `interrupted` set. */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  /** Every iteration's error, unless keepErrors was false: then none. */
  errors: IterationError[];
  /** The first and the last iteration's error (undefined only when no iteration completed). */
  first: IterationError | undefined;
  last: IterationError | undefined;
  /** Set when shouldStop() stopped the run: the steps done, and the iterations completed. */
  interrupted?: { steps: number; iterations: number };
  weights: Float32Array[] | Float64Array[];
  steps: number;
  timeMs: number;
  /** Devices lost and replaced during the run. */
  recoveries: number;
  /** Things the user should know about a run that finished (a stuck error, say). */
  warnings: string[];
  /** For classification runs: one report per logged epoch. */
  epochs: EpochReport[];
  /** The device the run finished on (a new one after a loss). */
  ctx?: GpuContext | undefined;
  check?: CheckSummary;
}

/** Device losses a run survives at most. */
const MAX_RECOVERIES = 3;

/** Time between looks at a run that can be stopped or shows progress, in ms. */
const LOOK_MS = 100;

export async function train(run: TrainRun): Promise<TrainResult> {
  let engine: Engine | undefined;
  /** A new device after a loss, not yet taken on by the engine. */
  let fresh: { ctx: GpuContext; lost: DeviceLostError } | undefined;
  let recoveries = 0;
  const watched = run.shouldStop !== undefined || run.onProgress !== undefined;
  // A run that can be stopped gives the event loop a turn after each chunk, so a signal handler can run.
  const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
  try {
    for (;;) {
      try {
        // A loss while the pipelines are built, on the first device or a new one, is recovered from too.
        if (!engine) engine = await Engine.create({ ...run, ctx: fresh?.ctx ?? run.ctx, shadow: run.check && run.ctx ? 'step' : false });
        else if (fresh) {
          await engine.recover(fresh.ctx);
          run.onRecover?.(fresh.lost, engine.checkpoint);
        }
        fresh = undefined;
        const going = engine;
        const ended = await going.runToEnd({
          ...(watched ? { budgetMs: LOOK_MS } : {}),
          ...(run.shouldStop ? { shouldStop: run.shouldStop } : {}),
          look: async () => {
            run.onProgress?.(going.where.steps, going.totalSteps);
            if (run.shouldStop) await turn();
          },
        });
        return await result(going, ended, recoveries);
      } catch (error) {
        if (!(error instanceof DeviceLostError) || !run.recover || recoveries >= MAX_RECOVERIES) throw error;
        recoveries++;
        fresh = { ctx: await run.recover(), lost: error };
      }
    }
  } finally {
    await engine?.close().catch(() => undefined);
  }
}

/** What a run that ended (or was stopped) hands back. */
async function result(engine: Engine, ended: 'done' | 'stopped', recoveries: number): Promise<TrainResult> {
  const weights = await engine.readWeights();
  const where = engine.where;
  const { record } = engine;
  return {
    errors: record.errors,
    first: record.firstError,
    last: record.lastError,
    weights,
    steps: where.steps,
    timeMs: engine.timeMs,
    recoveries,
    warnings: ended === 'stopped' ? [] : record.warnings,
    epochs: record.epochs,
    ctx: engine.ctx,
    ...(ended === 'stopped' ? { interrupted: { steps: where.steps, iterations: where.iteration } } : {}),
    ...(engine.check ? { check: engine.check } : {}),
  };
}
