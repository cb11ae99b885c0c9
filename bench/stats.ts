// Timing for the benchmarks: warm-up runs, then the median of several, in milliseconds.

export interface Timing {
  median: number;
  runs: number;
  warmup: number;
  all: number[];
}

export async function time(fn: () => Promise<void>, runs: number, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    all.push(performance.now() - started);
  }
  const sorted = [...all].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { median, runs, warmup, all };
}

export { randomValues as values } from '../test/helpers/random.js';
