// Where a run stands: iterations done, the next batch of the current iteration, the next dispatch
// of that batch, and the updates (steps) made. Shared by the GPU trainer and the CPU shadow so that
// both count the same way.

import type { Position } from './types.js';

export class Cursor {
  iteration = 0;
  batch = 0;
  dispatch = 0;
  steps = 0;

  constructor(readonly batchesPerIteration: number) {}

  /** Marks the current batch done; true when that completed an iteration. */
  finishBatch(): boolean {
    this.dispatch = 0;
    this.steps++;
    this.batch++;
    if (this.batch < this.batchesPerIteration) return false;
    this.batch = 0;
    this.iteration++;
    return true;
  }

  /** Steps (whole batches) until `count` more iterations are complete, counting the current one. */
  stepsForIterations(count: number): number {
    return count <= 0 ? 0 : count * this.batchesPerIteration - this.batch;
  }

  /** Moves back to a position saved before (a step back). */
  set(position: Position): void {
    this.iteration = position.iteration;
    this.batch = position.batch;
    this.dispatch = position.dispatch;
    this.steps = position.steps;
  }

  get position(): Position {
    return { iteration: this.iteration, batch: this.batch, dispatch: this.dispatch, steps: this.steps };
  }
}

/** Calls `step` `steps` times and collects what the completed iterations returned (into `out`, when given). */
export function runSteps<T>(steps: number, step: () => T | undefined, out: T[] = []): T[] {
  for (let s = 0; s < steps; s++) {
    const done = step();
    if (done !== undefined) out.push(done);
  }
  return out;
}

/** Appends `items` to `target` one by one: spreading a long array into push() overflows the stack (130,000 iterations did). */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
