// Which fast matmul variant a shape runs: measured, not guessed. On a shape's first use on an
// adapter every candidate runs on scratch buffers of the same sizes, taking turns, and the winner
// is kept in ctx.kernelChoices; later uses build it directly. The trainer and the benchmark's
// `--variants` time candidates by the same rules (warmUp, SET_ASIDE).

import type { GpuContext } from '../../gpu/context.js';
import { runRepeated, type Dispatch } from '../../gpu/dispatch.js';
import { calibrate } from '../../gpu/timing.js';
import { matmulFast, type FastMatmulArgs } from './build.js';
import { candidates, decodeVariant, defaultVariant, encodeVariant, type Variant } from './variants.js';

/**
 * A candidate that took over this many times the fastest one's time in the timed warm-up round is
 * set aside: no burst of other work on the machine makes that up, and on a CPU rasterizer a
 * workgroup-tiled product takes seconds (split-K ×16 runs 1024³ at a sixtieth of quad's speed there).
 */
export const SET_ASIDE = 4;

/** What the benchmark says of a variant set aside. */
export const SET_ASIDE_NOTE = `timed once, cold: over ${SET_ASIDE}× slower than the fastest in the warm-up round`;

/** Multiply-adds from which a product's variant is measured: 2²³, so that MNIST's first layer (100×784×128) is. */
export const MEASURE_FROM = 1 << 23;

/** The least a timed submit of the candidates lasts, in ms (a software adapter's take 10 ms or more anyway). */
const MEASURE_MS = 5;

/** Each candidate once, `repeat` products in one submit, timed (which also warms it up): the times in ms, and which are set aside. */
export async function warmUp(ctx: GpuContext, built: readonly Dispatch[], repeat: number): Promise<{ times: number[]; aside: boolean[] }> {
  const times: number[] = [];
  for (const d of built) {
    const started = performance.now();
    await runRepeated(ctx, d, repeat);
    times.push(performance.now() - started);
  }
  const fastest = Math.min(...times);
  return { times, aside: times.map((t) => t > SET_ASIDE * fastest) };
}

/** The key a choice is kept under: the adapter, the product and its shape. */
function choiceKey(ctx: GpuContext, args: FastMatmulArgs): string {
  return `${ctx.adapterName}|${args.form}|${args.epilogue}|${args.bias ? 'bias' : ''}|${args.M}x${args.K}x${args.N}`;
}

/**
 * The fast matmul in the variant measured fastest for this shape on this adapter. Products under
 * MEASURE_FROM multiply-adds cost less than compiling the candidates would (seconds each on a
 * software adapter), and a store that does not measure (fixed choices, as in the tests) keeps
 * none: those run the default variant.
 */
export async function matmulFastFor(ctx: GpuContext, args: FastMatmulArgs): Promise<Dispatch> {
  if (args.variant || args.tiles) return matmulFast(ctx, args);
  const store = ctx.kernelChoices;
  if (args.M * args.K * args.N < MEASURE_FROM || store.measures === false) return matmulFast(ctx, { ...args, variant: defaultVariant(ctx) });
  const key = choiceKey(ctx, args);
  let variant = decodeVariant(store.get(key));
  // A quad kept where the device has no subgroups (the same adapter in another browser) is measured again.
  if (variant?.kind === 'quad' && !ctx.hasSubgroups) variant = undefined;
  if (!variant) {
    variant = await measure(ctx, args);
    // Kernels compiled with the lab's edits are not the files' own: what they measured is not kept.
    if (ctx.edits.size === 0) store.set(key, encodeVariant(variant));
  }
  return matmulFast(ctx, { ...args, variant });
}

/** The fastest candidate for a shape: a timed warm-up sets the slow ones aside, then 3 rounds in turns, each keeping its fastest. */
async function measure(ctx: GpuContext, args: FastMatmulArgs): Promise<Variant> {
  const list = candidates(ctx, args.M, args.N);
  if (list.length === 1) return list[0]!;
  const sizes = (buffer: GPUBuffer): number => buffer.size / 4;
  // Scratch copies: an update epilogue must not touch the real weights.
  const scratch = {
    a: ctx.storage(`${args.label}.measure.a`, new Float32Array(sizes(args.a)).fill(0.5)),
    b: ctx.storage(`${args.label}.measure.b`, new Float32Array(sizes(args.b)).fill(0.25)),
    c: ctx.storage(`${args.label}.measure.c`, sizes(args.c)),
    mask: args.mask && ctx.storage(`${args.label}.measure.mask`, new Float32Array(sizes(args.mask)).fill(1)),
    bias: args.bias && ctx.storage(`${args.label}.measure.bias`, sizes(args.bias)),
  };
  // Each timed submit does at least 5·10⁷ FLOPs (over 10 ms on a software adapter): shorter ones let
  // a burst of a few ms on a busy machine decide, and the choice is kept.
  let repeat = Math.min(64, Math.max(1, Math.ceil(5e7 / (2 * args.M * args.K * args.N))));
  const built: Dispatch[] = [];
  try {
    for (const variant of list) built.push(await matmulFast(ctx, { ...args, ...scratch, mask: scratch.mask, bias: scratch.bias, label: `${args.label} (measuring)`, variant }));
    const { times, aside } = await warmUp(ctx, built, repeat);
    const fastest = built.map(() => Infinity);
    const first = times.indexOf(Math.min(...times));
    // On a GPU fast enough that a submit is over in under MEASURE_MS: more products per submit, or
    // the round trip would decide (the same for every candidate).
    repeat = await calibrate((n) => runRepeated(ctx, built[first]!, n), repeat, MEASURE_MS, 4096, true);
    for (let round = 0; round < 3; round++) {
      for (const [i, d] of built.entries()) {
        if (aside[i]) continue;
        const started = performance.now();
        await runRepeated(ctx, d, repeat);
        fastest[i] = Math.min(fastest[i]!, performance.now() - started);
      }
    }
    return list[fastest.indexOf(Math.min(...fastest))]!;
  } finally {
    for (const d of built) for (const buffer of d.owned) ctx.destroyBuffer(buffer);
    for (const buffer of Object.values(scratch)) if (buffer) ctx.destroyBuffer(buffer);
  }
}
