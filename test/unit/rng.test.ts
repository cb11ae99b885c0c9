import { describe, expect, test } from 'vitest';
import { MT19937 } from '../../src/net/mt19937.js';
import { seededWeights } from '../../src/net/init.js';
import { numpy } from '../fixtures/numpy.js';

describe('MT19937 reproduces np.random', () => {
  for (const [seed, values] of Object.entries(numpy.random)) {
    test(`np.random.seed(${seed}); np.random.random(8)`, () => {
      const rng = new MT19937(Number(seed));
      expect(values.map(() => rng.random())).toEqual(values);
    });
  }

  test('past the first 624-word block (draws 620..629 after seed 1)', () => {
    const rng = new MT19937(1);
    for (let i = 0; i < 620; i++) rng.random();
    expect(numpy.random_1_700.map(() => rng.random())).toEqual(numpy.random_1_700);
  });

  test('seeds outside numpy\'s range are refused', () => {
    expect(() => new MT19937(-1)).toThrow(/between 0 and 4294967295/);
    expect(() => new MT19937(1.5)).toThrow(/between 0 and 4294967295/);
    expect(() => new MT19937(2 ** 32)).toThrow(/between 0 and 4294967295/);
  });

  test('below(n) stays in range and is deterministic', () => {
    const a = new MT19937(3);
    const b = new MT19937(3);
    for (let i = 0; i < 1000; i++) {
      const x = a.below(7);
      expect(x).toBe(b.below(7));
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(7);
    }
  });
});

test("seededWeights(3,4,1; seed 1) are the seed's weights_0_1 and weights_1_2", () => {
  const [w01, w12] = seededWeights([3, 4, 1], 1);
  expect(Array.from(w01!)).toEqual(numpy.two_layer.initial![0]);
  expect(Array.from(w12!)).toEqual(numpy.two_layer.initial![1]);
});

test('another seed gives other weights', () => {
  const a = seededWeights([3, 4, 1], 1);
  const b = seededWeights([3, 4, 1], 7);
  expect(Array.from(b[0]!)).toEqual(numpy.two_layer_seed7.initial![0]);
  expect(Array.from(a[0]!)).not.toEqual(Array.from(b[0]!));
});
