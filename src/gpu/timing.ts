// How long dispatches take on the GPU: timestamp queries written at the start and end of a compute
// pass, where the adapter has the feature; else the time from submit to done, measured on the CPU
// (which includes the submit's own overhead, and is labelled so). Browsers may round timestamps
// for privacy (Chromium to 100 µs on most GPUs), so small dispatches can read as 0 or 100 µs.

import type { GpuContext } from './context.js';

export interface Timing {
  /** Nanoseconds. */
  ns: number;
  source: 'timestamp-query' | 'cpu';
  /** The median of this many runs after a warm-up run; absent: one run as it happened. */
  samples?: number;
}

/** Runs timed per dispatch by "Time one step", after one warm-up round: the median is shown. */
export const TIMING_SAMPLES = 5;

/**
 * Runs each of `count` pieces of work in its own compute pass, each submitted alone, and returns
 * how long each took. `encode` records piece i into the pass it is given.
 */
export async function timePasses(ctx: GpuContext, count: number, encode: (pass: GPUComputePassEncoder, i: number) => void, label = 'timed'): Promise<Timing[]> {
  const { device } = ctx;
  if (count === 0) return [];
  if (!ctx.hasTimestamps) {
    const out: Timing[] = [];
    for (let i = 0; i < count; i++) {
      const encoder = device.createCommandEncoder({ label });
      const pass = encoder.beginComputePass({ label });
      encode(pass, i);
      pass.end();
      const started = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      out.push({ ns: (performance.now() - started) * 1e6, source: 'cpu' });
    }
    return out;
  }
  const querySet = device.createQuerySet({ label: `${label}.timestamps`, type: 'timestamp', count: 2 * count });
  const resolve = ctx.createBuffer(`${label}.resolve`, 16 * count, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
  try {
    const encoder = device.createCommandEncoder({ label });
    for (let i = 0; i < count; i++) {
      const pass = encoder.beginComputePass({ label, timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      encode(pass, i);
      pass.end();
    }
    encoder.resolveQuerySet(querySet, 0, 2 * count, resolve, 0);
    const raw = await ctx.read(resolve, 0, 16 * count, encoder);
    const stamps = new BigInt64Array(raw.buffer, raw.byteOffset, 2 * count);
    return Array.from({ length: count }, (_, i) => ({ ns: Math.max(0, Number(stamps[2 * i + 1]! - stamps[2 * i]!)), source: 'timestamp-query' as const }));
  } finally {
    querySet.destroy();
    ctx.destroyBuffer(resolve);
  }
}

/**
 * How many times to repeat a piece of GPU work so that one timed submit lasts about `targetMs`,
 * given that `repeat` of it took `elapsedMs`: never fewer than `repeat`, never more than `most`.
 * Timed from the CPU, a submit costs its round trip (0.1 ms to a few ms) on top of the work; on a
 * software adapter a product takes milliseconds and that is noise, but on a real GPU a product can
 * take microseconds, and timed a few at a time it would time the round trip alone.
 */
export function repeatFor(elapsedMs: number, repeat: number, targetMs: number, most: number): number {
  if (!(elapsedMs > 0)) return Math.max(repeat, Math.min(most, repeat * 1024));
  return Math.max(repeat, Math.min(most, Math.ceil((repeat * targetMs) / elapsedMs)));
}

/**
 * repeatFor() from one timed `run(repeat)`, after an untimed one unless the work was just run
 * (the first run of a piece of work pays for what is made on first use).
 */
export async function calibrate(run: (repeat: number) => Promise<unknown>, repeat: number, targetMs: number, most: number, warm = false): Promise<number> {
  if (!warm) await run(repeat);
  const started = performance.now();
  await run(repeat);
  return repeatFor(performance.now() - started, repeat, targetMs, most);
}
