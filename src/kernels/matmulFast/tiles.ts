// The register tiles of the register-blocked and quad variants: how many 4×4 blocks each
// invocation computes, and its workgroup, chosen from the output's shape and the device's limits.

import type { GpuContext } from '../../gpu/context.js';

export interface Tiles {
  /** 4-row blocks per invocation: 1 or 2, up to 4 in the quad variant. */
  bm: 1 | 2 | 4;
  /** 4-column blocks per invocation: 1, 2 or 4, up to 8 in the quad variant. */
  bn: 1 | 2 | 4 | 8;
  wx: number;
  wy: number;
}

/** Tiles from the biggest (8×16 outputs per invocation) down; measured fastest first on SwiftShader. */
export const TILE_ORDER: readonly [1 | 2 | 4, 1 | 2 | 4 | 8][] = [
  [2, 4],
  [2, 2],
  [1, 2],
  [2, 1],
  [1, 1],
];

/**
 * The quad variant's tiles, biggest first (16×32 outputs per invocation): with a quarter of the
 * right operand's reads, bigger tiles pay (on SwiftShader 16×32 ran a third faster than 8×16).
 */
export const QUAD_TILE_ORDER: readonly [1 | 2 | 4, 1 | 2 | 4 | 8][] = [[4, 8], [2, 8], [4, 4], ...TILE_ORDER];

/**
 * The biggest register tile that still leaves enough invocations (64) to keep every core busy;
 * tiny outputs get 4×4 tiles. Workgroups of 2×4 invocations, within the device's limits.
 */
export function chooseTiles(ctx: GpuContext, M: number, N: number, order = TILE_ORDER): Tiles {
  const invocations = (bm: number, bn: number): number => Math.ceil(M / (4 * bm)) * Math.ceil(N / (4 * bn));
  const [bm, bn] = order.find(([m, n]) => invocations(m, n) >= 64) ?? [1, 1];
  const limits = ctx.limits;
  const wx = Math.min(2, limits.maxComputeWorkgroupSizeX);
  const wy = Math.max(1, Math.min(4, limits.maxComputeWorkgroupSizeY, Math.floor(limits.maxComputeInvocationsPerWorkgroup / wx)));
  return { bm, bn, wx, wy };
}

/**
 * The quad variant's tiles: the biggest that leaves 64 invocations, in workgroups of 1 × 8
 * (every invocation of a workgroup shares its columns, and 8 is two whole quads), or 1 × 4 where
 * the device allows no more.
 */
export function quadTiles(ctx: GpuContext, M: number, N: number): Tiles {
  const { bm, bn } = chooseTiles(ctx, M, N, QUAD_TILE_ORDER);
  const most = Math.min(ctx.limits.maxComputeWorkgroupSizeY, ctx.limits.maxComputeInvocationsPerWorkgroup);
  return { bm, bn, wx: 1, wy: most >= 8 ? 8 : 4 };
}
