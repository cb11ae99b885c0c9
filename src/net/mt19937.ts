// numpy's legacy random generator: the Mersenne Twister MT19937 seeded as np.random.seed(S) seeds
// it, and random() built from two 32-bit draws as numpy's random_sample builds its doubles:
// (a >> 5) · 2²⁶ + (b >> 6), divided by 2⁵³, so 53 random bits per double.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  private readonly state = new Uint32Array(N);
  private index = N;

  /** seed: an integer in [0, 2³² − 1], as np.random.seed accepts. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer between 0 and 4294967295, got ${seed}`);
    }
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** The next 32-bit output, an integer in [0, 2³²). */
  nextUint32(): number {
    const mt = this.state;
    if (this.index >= N) {
      for (let i = 0; i < N; i++) {
        const y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
        mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1): np.random.random(). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** An integer in [0, n), uniform, for shuffling (rejection sampling, no modulo bias). */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = Math.floor(0x100000000 / n) * n;
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }
}
