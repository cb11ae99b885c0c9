// The benchmark's timing (bench/stats.ts): contenders timed in turns, so that a slow spell of a
// shared machine slows them alike; the warm-up round is run but not counted.

import { describe, expect, test } from 'vitest';
import { time, timeInTurns } from '../bench/stats.js';

describe('timing in turns', () => {
  test('every round runs each contender once, in order; the warm-up rounds are not counted', async () => {
    const calls: string[] = [];
    const timed = await timeInTurns({ a: async () => void calls.push('a'), b: async () => void calls.push('b'), c: async () => void calls.push('c') }, 3, 2);
    expect(calls.join('')).toBe('abc'.repeat(5));
    for (const t of Object.values(timed)) {
      expect(t.all.length).toBe(3);
      expect(t.runs).toBe(3);
      expect(t.warmup).toBe(2);
    }
  });

  test('the median of the counted rounds, each contender its own', async () => {
    // Contender `slow` takes 40 ms in one round only, `steady` never waits.
    let round = 0;
    const timed = await timeInTurns(
      {
        slow: () => new Promise<void>((done) => setTimeout(done, round++ === 2 ? 40 : 0)),
        steady: async () => {},
      },
      5,
      0,
    );
    expect(Math.max(...timed.slow.all)).toBeGreaterThanOrEqual(30);
    expect(timed.slow.median).toBeLessThan(30);
    expect(timed.steady.median).toBeLessThan(30);
    expect([...timed.slow.all].sort((x, y) => x - y)[2]).toBe(timed.slow.median);
    expect([...timed.steady.all].sort((x, y) => x - y)[2]).toBe(timed.steady.median);
  });

  test('one contender alone is time()', async () => {
    let n = 0;
    const t = await time(async () => void n++, 4, 1);
    expect(n).toBe(5);
    expect(t.all.length).toBe(4);
  });
});
