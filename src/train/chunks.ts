// How many steps a run does between two looks at it (a redraw, a signal check, a progress bar),
// sized by time. Each look has a fixed cost (a readback of the errors and the weights); the chunk
// is scaled by how far the last one was from the budget, not just halved or doubled, so a small
// net on the page trains hundreds of iterations between redraws and a big one still redraws after
// every few steps. Where that fixed cost alone passes the budget (a readback takes about 200 ms in Firefox
// on SwiftShader, a few ms in Chromium), the budget grows to four times the quickest chunk, up to
// half a second, so that looking takes at most about a quarter of the time.

import type { Position } from './types.js';

/** The most a budget grows to, in ms. */
const MAX_BUDGET_MS = 500;

/** The most steps in one chunk. */
const MAX_STEPS = 1 << 20;

export class ChunkSizer {
  private quickest = Infinity;

  /** `budgetMs`: the time between looks aimed at; `steps`: the first chunk's steps. */
  constructor(
    private readonly budgetMs: number,
    public steps = 1,
  ) {}

  /** After a chunk of `steps` took `ms`: the next chunk's size. */
  measured(steps: number, ms: number): void {
    // A chunk cut short (by a log point, or the run's end) says little about a full one.
    if (steps < this.steps) return;
    const took = Math.max(0.5, ms);
    this.quickest = Math.min(this.quickest, took);
    const budget = Math.min(MAX_BUDGET_MS, Math.max(this.budgetMs, 4 * this.quickest));
    this.steps = Math.max(1, Math.min(MAX_STEPS, Math.round(steps * Math.min(4, Math.max(0.25, budget / took)))));
  }
}

/** Iterations a run goes at most between readbacks of the errors (and a checkpoint), so what is held stays bounded. */
export const MAX_UNREAD = 4096;

/**
 * Steps from `where` to where a chunk must end: the end of this iteration ('epoch': each epoch is
 * evaluated with the weights at its end), the next log point ('log': a checkpoint, and a logged
 * epoch's evaluation), or only the run's end ('none'); and at most MAX_UNREAD iterations on.
 */
export function stepsToBoundary(where: Position, run: { iterations: number; logEvery: number }, batchesPerIteration: number, ends: 'epoch' | 'log' | 'none'): number {
  const { iteration, batch } = where;
  const nextLogged = Math.min(run.iterations - 1, iteration + (run.logEvery - 1 - (iteration % run.logEvery)));
  const last = ends === 'epoch' ? iteration : ends === 'none' ? run.iterations - 1 : nextLogged;
  return (Math.min(last, iteration + MAX_UNREAD - 1) + 1 - iteration) * batchesPerIteration - batch;
}

/** `steps` from batch `batch` of an iteration, rounded up to the end of an iteration. */
export function roundToIterations(steps: number, batch: number, batchesPerIteration: number): number {
  const toEnd = batchesPerIteration - batch;
  return steps <= toEnd ? toEnd : toEnd + Math.ceil((steps - toEnd) / batchesPerIteration) * batchesPerIteration;
}
