// c = a · b on the GPU, in the three forms backprop needs (see shaders/matmul.wgsl).

import code from '../../shaders/matmul.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { type Shader, shaderFile } from '../gpu/shader.js';
import { kernel } from '../gpu/kernel.js';
import { assemble, grid2d, type Dispatch } from '../gpu/dispatch.js';

export const matmulShader: Shader = shaderFile('matmul', code);

export interface MatmulArgs {
  label: string;
  /** (M, K), or (K, M) when transposeA. */
  a: GPUBuffer;
  /** (K, N), or (N, K) when transposeB. */
  b: GPUBuffer;
  /** (M, N), written. */
  c: GPUBuffer;
  M: number;
  K: number;
  N: number;
  transposeA?: boolean;
  transposeB?: boolean;
}

/** The side of the square workgroup: 8 × 8 = 64 invocations fits every device, compatibility mode included. */
export function matmulTile(ctx: GpuContext): number {
  const max = Math.min(ctx.limits.maxComputeWorkgroupSizeX, ctx.limits.maxComputeWorkgroupSizeY);
  let tile = 8;
  while (tile > 1 && (tile * tile > ctx.limits.maxComputeInvocationsPerWorkgroup || tile > max)) tile /= 2;
  return tile;
}

export async function matmul(ctx: GpuContext, args: MatmulArgs): Promise<Dispatch> {
  const tile = matmulTile(ctx);
  const k = await kernel(ctx, matmulShader, {
    constants: {
      WORKGROUP_X: tile,
      WORKGROUP_Y: tile,
      TRANSPOSE_A: args.transposeA ?? false,
      TRANSPOSE_B: args.transposeB ?? false,
    },
  });
  return assemble(ctx, k, {
    label: args.label,
    uniform: { binding: 'shape', values: { M: args.M, K: args.K, N: args.N } },
    buffers: { a: args.a, b: args.b, c: args.c },
    workgroups: grid2d(ctx, args.M, args.N, tile, tile, args.label),
    // One output per invocation: let i = id.y; let j = id.x; c[i][j] = Σₖ a[i][k] · b[k][j].
    grid: {
      size: [tile, tile],
      output: 'c',
      owner: (row, col) => [col, row],
      reads: (row, col) => [
        args.transposeA ? { binding: 'a', col: row } : { binding: 'a', row },
        args.transposeB ? { binding: 'b', row: col } : { binding: 'b', col },
      ],
      products: (row, col) =>
        Array.from({ length: args.K }, (_, k) => [
          args.transposeA ? { binding: 'a', row: k, col: row } : { binding: 'a', row, col: k },
          args.transposeB ? { binding: 'b', row: col, col: k } : { binding: 'b', row: k, col },
        ]),
    },
  });
}
