// The benchmark's ceiling kernel (shaders/ceiling.wgsl) does the arithmetic it is credited with:
// both forms, a few rounds, against the same recurrence in float64. A ceiling that did less work
// than it counts (a compiler dropping or shortening it) would make every matmul look worse.

import { describe, expect, test } from 'vitest';
import code from '../../shaders/ceiling.wgsl?raw';
import { kernel } from '../../src/gpu/kernel.js';
import { bindGroup, grid1d, runRepeated, uniformFor } from '../../src/gpu/dispatch.js';
import { compareRelative, describeComparison } from '../../src/verify/tolerance.js';
import { useGpu } from '../helpers/gpu.js';

const gpu = useGpu();
const scale = 0.999;
const shift = 0.001;
const LOOPS = 6;
const INVOCATIONS = 128;

/** What invocation `id` writes, in float64: the sum over its chains after LOOPS rounds. */
function expected(form: 0 | 1, chains: 4 | 8, id: number): number[] {
  const seed = Math.fround(id * 1e-6);
  const v = [seed, seed + 1, seed + 2, seed + 3];
  if (form === 0) {
    const offsets = [0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5];
    const sum = [0, 0, 0, 0];
    offsets.forEach((o, chain) => {
      let c = v.map((x) => x + o);
      if (chain < chains) for (let i = 0; i < LOOPS; i++) c = c.map((x) => x * Math.fround(scale) + Math.fround(shift));
      c.forEach((x, lane) => (sum[lane]! += x));
    });
    return sum;
  }
  // Columns of m, as the WGSL writes them.
  const m = [
    [0.4, 0.3, 0.2, 0.1],
    [0.1, 0.4, 0.3, 0.2],
    [0.2, 0.1, 0.4, 0.3],
    [0.3, 0.2, 0.1, 0.4],
  ].map((col) => col.map((x) => Math.fround(scale) * Math.fround(x)));
  const s = Math.fround(shift);
  const step = (c: number[][]): number[][] => c.map((col) => [0, 1, 2, 3].map((r) => m.reduce((sum, mc, k) => sum + mc[r]! * col[k]!, 0) + s));
  const c0 = [0, 0.5, 1, 1.5].map((o) => v.map((x) => x + o));
  const factors = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5];
  const sum = [0, 0, 0, 0];
  factors.forEach((f, chain) => {
    let c = c0.map((col) => col.map((x) => x * f));
    if (chain < chains) for (let i = 0; i < LOOPS; i++) c = step(c);
    for (const col of c) col.forEach((x, lane) => (sum[lane]! += x));
  });
  return sum;
}

describe('ceiling.wgsl', () => {
  for (const form of [0, 1] as const) {
    for (const chains of [4, 8] as const) {
      test(`${form === 0 ? 'vec4 multiply-add' : '4×4 matrix'} chains, ${chains} of them: the rounds it counts are the rounds it runs`, async () => {
        const ctx = gpu();
        const k = await kernel(ctx, { name: 'ceiling', code }, { constants: { CHAINS: chains, LOOPS, WORKGROUP: 64, FUSED: true, FORM: form } });
        const params = uniformFor(ctx, k, 'params', 'p', { scale, shift });
        const out = ctx.storage('out', INVOCATIONS * 4);
        const d = { label: 'ceiling', kernel: k, bindGroup: bindGroup(ctx, 'ceiling', k, { p: params, out }), workgroups: grid1d(ctx, INVOCATIONS, 64, 'ceiling'), bound: {}, owned: [] };
        await runRepeated(ctx, d);
        const got = await ctx.read(out);
        const want = Array.from({ length: INVOCATIONS }, (_, id) => expected(form, chains, id)).flat();
        // A few float32 roundings per round, on values of order 10: far below what one round too few would change.
        const c = compareRelative(Array.from(got), want, 1e-5);
        expect(c.ok, describeComparison('ceiling sums', c)).toBe(true);
        for (const b of [params, out]) ctx.destroyBuffer(b);
      });
    }
  }
});
