// The benchmark's timing (bench/stats.ts): contenders timed in turns, so that a slow spell of a
// shared machine slows them alike; the warm-up round is run but not counted.

import { describe, expect, test } from 'vitest';
import { checkProduct, spread } from '../../bench/check.js';
import { nextTrial } from '../../bench/ceiling.js';
import { ratioText } from '../../bench/cases.js';
import { time, timeInTurns } from '../../bench/stats.js';
import { matmul as cpuMatmul } from '../../src/cpu/ops.js';
import { repeatFor } from '../../src/gpu/timing.js';
import type { FastForm } from '../../src/kernels/matmulFast/variants.js';
import { randomValues } from '../helpers/random.js';

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

describe('enough work per timed run, on a GPU fast enough to need more', () => {
  test('repeatFor: a run that took a tenth of the target is repeated 10×, within [repeat, most]', () => {
    expect(repeatFor(5, 1, 50, 1024)).toBe(10);
    expect(repeatFor(5, 8, 50, 1024)).toBe(80);
    // Long enough already (every software-adapter case): the shape's own repeat stays.
    expect(repeatFor(90, 8, 50, 1024)).toBe(8);
    expect(repeatFor(0.001, 1, 50, 1024)).toBe(1024);
    // Never fewer than given, even where `most` is lower; a run too short to measure gets the most.
    expect(repeatFor(1, 64, 5, 16)).toBe(64);
    expect(repeatFor(0, 2, 5, 4096)).toBe(2048);
  });

  test('the ceiling grows its grid 4× until a run lasts the target, then repeats the biggest grid', () => {
    const most = 64 * 64 * 16;
    expect(nextTrial({ invocations: 4096, repeat: 1 }, 120, 100, most)).toBeUndefined();
    expect(nextTrial({ invocations: 4096, repeat: 1 }, 3, 100, most)).toEqual({ invocations: 16384, repeat: 1 });
    expect(nextTrial({ invocations: 16384, repeat: 1 }, 3, 100, most)).toEqual({ invocations: 65536, repeat: 1 });
    // The biggest grid took 2 ms: 50 of it per run; and that is the last trial.
    expect(nextTrial({ invocations: 65536, repeat: 1 }, 2, 100, most)).toEqual({ invocations: 65536, repeat: 50 });
    expect(nextTrial({ invocations: 65536, repeat: 50 }, 80, 100, most)).toBeUndefined();
    // The default biggest grid is 65,536 workgroups of 64.
    expect(nextTrial({ invocations: 64 * 16384, repeat: 1 }, 1, 100)).toEqual({ invocations: 64 * 65536, repeat: 1 });
    expect(nextTrial({ invocations: 64 * 65536, repeat: 1 }, 1, 100)?.repeat).toBe(100);
  });
});

describe('checkProduct: the benchmark checks the product it timed', () => {
  /** a·b in float32 as a GPU stores it, for the form's layout. */
  function product(a: Float32Array, b: Float32Array, form: FastForm, M: number, K: number, N: number): Float32Array {
    const c = new Float64Array(M * N);
    cpuMatmul(a, b, c, M, K, N, form === 'gradient', form === 'backward');
    return Float32Array.from(c);
  }

  test('spread: evenly over the whole range, first and last included, all where few', () => {
    expect(spread(5, 48)).toEqual([0, 1, 2, 3, 4]);
    const s = spread(4096, 48);
    expect(s).toHaveLength(48);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(4095);
    expect(new Set(s).size).toBe(48);
  });

  for (const form of ['forward', 'backward', 'gradient'] as const) {
    test(`${form}: the right product passes; a wrong entry, or one written to its neighbour's place, fails`, () => {
      const [M, K, N] = [70, 33, 130];
      const a = randomValues(M * K, 1);
      const b = randomValues(K * N, 2);
      const c = product(a, b, form, M, K, N);
      const good = checkProduct(c, a, b, form, M, K, N);
      expect(good.ok, good.text).toBe(true);
      expect(good.entries).toBe(48 * 48);
      // The last row and column are always in the sample.
      const off = c.slice();
      off[M * N - 1]! += 1e-3;
      expect(checkProduct(off, a, b, form, M, K, N).ok).toBe(false);
      // A row shifted by one (a block written one row down) fails too.
      const shifted = c.slice();
      shifted.copyWithin(N, 0, (M - 1) * N);
      const bad = checkProduct(shifted, a, b, form, M, K, N);
      expect(bad.ok).toBe(false);
      expect(bad.text).toMatch(/values beyond tolerance/);
    });
  }
});

test('a ratio keeps two significant digits below 1, one decimal from 1 up', () => {
  expect(ratioText(22.06)).toBe('22.1×');
  expect(ratioText(1)).toBe('1.0×');
  expect(ratioText(0.206)).toBe('0.21×');
  expect(ratioText(0.0093)).toBe('0.0093×');
});
