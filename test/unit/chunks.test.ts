// How far a run goes between looks: chunks sized by time, and where a chunk must end.

import { describe, expect, test } from 'vitest';
import { ChunkSizer, MAX_UNREAD, roundToIterations, stepsToBoundary } from '../../src/train/chunks.js';

const at = (iteration: number, batch = 0) => ({ iteration, batch, dispatch: 0, steps: 0 });

describe('chunks', () => {
  test('a chunk ends at the epoch, the next log point, or only at the run\'s end; never past MAX_UNREAD iterations', () => {
    const run = { iterations: 60, logEvery: 10 };
    // 4 batches an iteration, at iteration 3, batch 1: 3 steps finish it.
    expect(stepsToBoundary(at(3, 1), run, 4, 'epoch')).toBe(3);
    // The next logged iteration is 9 (0-based, as numpy's i % 10 == 9): iterations 3..9.
    expect(stepsToBoundary(at(3, 1), run, 4, 'log')).toBe(7 * 4 - 1);
    expect(stepsToBoundary(at(9), run, 4, 'log')).toBe(4);
    expect(stepsToBoundary(at(3, 1), run, 4, 'none')).toBe(57 * 4 - 1);
    expect(stepsToBoundary(at(0), { iterations: 100_000, logEvery: 100_000 }, 1, 'none')).toBe(MAX_UNREAD);
    // The last iteration is always logged.
    expect(stepsToBoundary(at(55), { iterations: 58, logEvery: 10 }, 2, 'log')).toBe(6);
  });

  test('whole iterations: any number of steps rounds up to an iteration\'s end', () => {
    expect(roundToIterations(1, 0, 4)).toBe(4);
    expect(roundToIterations(4, 0, 4)).toBe(4);
    expect(roundToIterations(5, 0, 4)).toBe(8);
    expect(roundToIterations(2, 3, 4)).toBe(1 + 4);
  });

  test('the sizer grows a chunk that took less than its budget, at most 4× at once, and shrinks one that took more', () => {
    const sizer = new ChunkSizer(50, 4);
    sizer.measured(4, 1);
    expect(sizer.steps).toBe(16);
    sizer.measured(16, 200);
    expect(sizer.steps).toBe(4);
    // A chunk cut short (by a log point) says nothing of a full one.
    sizer.measured(2, 1000);
    expect(sizer.steps).toBe(4);
    // Where one look costs more than the budget (a slow readback), the budget grows to 4× the
    // quickest chunk, up to 500 ms: 200 ms for 10 steps aims at 500 ms, 25 steps.
    const slow = new ChunkSizer(50, 10);
    slow.measured(10, 200);
    expect(slow.steps).toBe(25);
  });
});
