// One GPU context per test file, on Dawn (SwiftShader without a GPU). When no adapter can be had
// the tests fail with the reason; they never skip.

import { afterAll, beforeAll } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.js';
import { fixedChoices } from '../../src/gpu/choices.js';
import { createNodeGpuContext } from '../../src/gpu/node.js';
import { encodeDispatch, type Dispatch } from '../../src/gpu/dispatch.js';

export function useGpu(): () => GpuContext {
  let ctx: GpuContext | undefined;
  beforeAll(async () => {
    ctx = await createNodeGpuContext();
    // No kernel variant is measured: each shape runs its default (the tuner's tests hand their own store).
    ctx.kernelChoices = fixedChoices();
  });
  afterAll(() => ctx?.destroy());
  return () => {
    if (!ctx) throw new Error('no GPU context: createNodeGpuContext failed in beforeAll (see the error above)');
    return ctx;
  };
}

/** Records one dispatch, submits it inside error scopes and waits. */
export async function runDispatch(ctx: GpuContext, dispatch: Dispatch, dynamicOffsets?: number[]): Promise<void> {
  await ctx.scoped(() => {
    const encoder = ctx.device.createCommandEncoder({ label: `test ${dispatch.label}` });
    const pass = encoder.beginComputePass();
    encodeDispatch(pass, dispatch, dynamicOffsets);
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
  });
  await ctx.idle();
}

export { randomValues } from './random.js';

export const SENTINEL = 1234.5;
/** How many values past the logical end of an output are checked to be untouched. */
export const GUARD = 37;

/** Values followed by a guard band of SENTINEL. */
export function withGuard(values: ArrayLike<number> | number): Float32Array {
  const length = typeof values === 'number' ? values : values.length;
  const out = new Float32Array(length + GUARD).fill(SENTINEL);
  if (typeof values === 'number') out.fill(0, 0, length);
  else out.set(values);
  return out;
}

export function guardIntact(values: Float32Array, logical: number): boolean {
  for (let i = logical; i < values.length; i++) if (values[i] !== SENTINEL) return false;
  return true;
}

/** The context with a lower workgroup limit than the device's: dispatches are sized by it. */
export function withMaxGroups(ctx: GpuContext, maxGroups: number): GpuContext {
  const limits: Record<string, number> = {};
  for (const key in ctx.limits) limits[key] = (ctx.limits as unknown as Record<string, number>)[key]!;
  limits.maxComputeWorkgroupsPerDimension = maxGroups;
  return Object.create(ctx, { limits: { value: limits } }) as GpuContext;
}
