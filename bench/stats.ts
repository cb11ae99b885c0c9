// Timing for the benchmarks: warm-up runs, then the median of several, in milliseconds.

export interface Timing {
  median: number;
  runs: number;
  warmup: number;
  all: number[];
}

export async function time(fn: () => Promise<void>, runs: number, warmup = 1): Promise<Timing> {
  return (await timeInTurns({ fn }, runs, warmup)).fn;
}

/**
 * Several contenders timed in turns: `warmup` rounds, then `runs` rounds in each of which every
 * contender runs once, in the order given. On a shared machine whose speed drifts by ±30%, a slow
 * spell that lasts a round then slows every contender alike (timed one after the other, a case's
 * contenders ran up to minutes apart).
 */
export async function timeInTurns<K extends string>(contenders: Record<K, () => Promise<void>>, runs: number, warmup = 1): Promise<Record<K, Timing>> {
  const names = Object.keys(contenders) as K[];
  const all = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const name of names) {
      const started = performance.now();
      await contenders[name]();
      if (round >= warmup) all.get(name)!.push(performance.now() - started);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { median: median(all.get(name)!), runs, warmup, all: all.get(name)! }])) as Record<K, Timing>;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
}

export { randomValues as values } from '../test/helpers/random.js';
