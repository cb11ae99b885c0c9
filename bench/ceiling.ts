// The adapter's ceiling (shaders/ceiling.wgsl): the most f32 multiply-adds per second it does with
// no memory traffic at all. Every matmul of the benchmark is reported as a fraction of it.

import code from '../shaders/ceiling.wgsl?raw';
import type { GpuContext } from '../src/gpu/context.js';
import { type Shader, shaderFile } from '../src/gpu/shader.js';
import { kernel } from '../src/gpu/kernel.js';
import { assemble, grid1d, runRepeated } from '../src/gpu/dispatch.js';
import { repeatFor } from '../src/gpu/timing.js';
import { time } from './stats.js';

const shader: Shader = shaderFile('ceiling', code);

export interface Ceiling {
  gflops: number;
  /** The configuration that reached it. */
  chains: number;
  loops: number;
  invocations: number;
  /** Dispatches per timed run: 1, unless the grid reached its cap before a run took long enough (a fast GPU). */
  repeat: number;
  /** fma() (true) or a multiply and an add (vec4 chains only). */
  fused: boolean;
  /** vec4 accumulators (fma chains) or 4×4 matrices (c = m · c + s, the fast matmul's inner step). */
  form: 'vec4' | 'mat4x4';
}

/** The configurations tried: shaders/ceiling.wgsl's FORM, CHAINS, FUSED and LOOPS (fewer rounds of the bigger matrix step). */
const CONFIGS = [
  { form: 'vec4', chains: 4, fused: true, loops: 1024 },
  { form: 'vec4', chains: 8, fused: true, loops: 1024 },
  { form: 'vec4', chains: 8, fused: false, loops: 1024 },
  { form: 'mat4x4', chains: 4, fused: true, loops: 128 },
  { form: 'mat4x4', chains: 8, fused: true, loops: 128 },
] as const;

/** The biggest grid tried: 65,536 workgroups of 64 (folded into two dimensions past the device's limit). */
const MOST_INVOCATIONS = 64 * 65536;

/** FLOPs of one chain's round: a vec4 multiply-add (4 lanes · 2), or c = m · c + s (64 multiply-adds · 2). */
const FLOPS_PER_ROUND = { vec4: 8, mat4x4: 128 } as const;

/** How a ceiling was reached, in words (the benchmark's note). */
export function describeCeiling(c: Ceiling): string {
  const what = c.form === 'mat4x4' ? '4×4 matrix multiply-adds (c = m · c + s)' : c.fused ? 'fma()' : 'multiply then add';
  return `${c.chains} chains of ${what}, ${c.loops} rounds, ${c.invocations} invocations${c.repeat > 1 ? `, ${c.repeat} dispatches per timed run` : ''}`;
}

/**
 * The highest GFLOPS over a few configurations (vec4 or 4×4 matrix accumulators, 4 or 8 independent
 * chains, fused or not), each with enough invocations to fill the adapter and enough work to take
 * about 100 ms, as the median of `runs`.
 */
export async function measureCeiling(ctx: GpuContext, runs: number, quick = false): Promise<Ceiling> {
  let best: Ceiling = { gflops: 0, chains: 0, loops: 0, invocations: 0, repeat: 1, fused: true, form: 'vec4' };
  const target = quick ? 20 : 100;
  for (const config of CONFIGS) {
    let trial: Trial | undefined = { invocations: 64 * 64, repeat: 1 };
    while (trial) {
      const run = await ceilingRun(ctx, { ...config, ...trial });
      const t = await time(run.run, quick ? 1 : runs, 1);
      run.destroy();
      const gflops = run.flops / t.median / 1e6;
      if (gflops > best.gflops) best = { ...config, ...trial, gflops };
      trial = nextTrial(trial, t.median, target);
    }
  }
  return best;
}

export interface Trial {
  invocations: number;
  /** Dispatches per timed run. */
  repeat: number;
}

/**
 * After a timed run of `last` took `ms`: the next grid to try, or none when that run was long
 * enough to time well. The grid grows 4× at a time up to `most` invocations; past that (a fast
 * GPU), the same grid dispatched enough times per run to last `target` ms, once: timed alone, its
 * run would be mostly the submit's round trip.
 */
export function nextTrial(last: Trial, ms: number, target: number, most = MOST_INVOCATIONS): Trial | undefined {
  if (ms >= target || last.repeat > 1) return undefined;
  if (last.invocations * 4 <= most) return { invocations: last.invocations * 4, repeat: 1 };
  const repeat = repeatFor(ms, 1, target, 1024);
  return repeat > 1 ? { invocations: last.invocations, repeat } : undefined;
}

/**
 * One configuration of the ceiling kernel, ready to run again: the matmul cases time it in turns
 * with their contenders, so that each case's fraction of the ceiling compares runs made side by side.
 */
export async function ceilingRun(ctx: GpuContext, c: Omit<Ceiling, 'gflops'>): Promise<{ run: () => Promise<void>; flops: number; destroy: () => void }> {
  const k = await kernel(ctx, shader, { constants: { CHAINS: c.chains, LOOPS: c.loops, WORKGROUP: 64, FUSED: c.fused, FORM: c.form === 'mat4x4' ? 1 : 0 } });
  const out = ctx.storage('ceiling.out', c.invocations * 4);
  const d = assemble(ctx, k, { label: 'ceiling', uniform: { binding: 'p', values: { scale: 0.999, shift: 0.001 } }, buffers: { out }, workgroups: grid1d(ctx, c.invocations, 64, 'ceiling') });
  return {
    run: () => runRepeated(ctx, d, c.repeat),
    flops: c.repeat * c.invocations * c.loops * c.chains * FLOPS_PER_ROUND[c.form],
    destroy: () => {
      ctx.destroyBuffer(out);
      for (const b of d.owned) ctx.destroyBuffer(b);
    },
  };
}
