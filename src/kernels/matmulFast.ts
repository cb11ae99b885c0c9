// The fast matmul (see shaders/matmul_fast.wgsl): register-blocked 4×4 tiles, vec4 loads, and a
// fused epilogue. Operands are padded: every row a multiple of 4 floats long.

import code from '../../shaders/matmul_fast.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { bindGroup, boundLabels, composeShaders, grid2d, kernel, uniformFor, type Dispatch, type Shader } from '../gpu/pipeline.js';
import type { Activation } from '../ops/activations/activation.js';
import { relu } from '../ops/activations/relu.js';
import { uniformOffset } from '../gpu/wgsl.js';

export const matmulFastShader: Shader = { name: 'matmul_fast', code };

/** forward: c = a·b; backward: c = a·bᵀ; gradient: c = aᵀ·b. */
export type FastForm = 'forward' | 'backward' | 'gradient';

/** store c; activation(c); c · activation2deriv(mask); weights -= scale · c. */
export type Epilogue = 'store' | 'activate' | 'activate2deriv' | 'update';
const EPILOGUES: Record<Epilogue, number> = { store: 0, activate: 1, activate2deriv: 2, update: 3 };

export { pad4 } from '../net/spec.js';

export interface FastMatmulArgs {
  label: string;
  form: FastForm;
  epilogue: Epilogue;
  a: GPUBuffer;
  b: GPUBuffer;
  /** Written (or, for 'update', the weights updated in place). */
  c: GPUBuffer;
  /** The hidden layers' activation, for 'activate' and 'activate2deriv' (default relu). */
  activation?: Activation;
  /** The layer whose activation2deriv masks the result; required for 'activate2deriv'. */
  mask?: GPUBuffer;
  /** A 16-byte buffer bound where a kernel has no mask (a binding may not be left empty). */
  unusedMask: GPUBuffer;
  /** forward: added to every row; gradient: updated from the column sums of b. (N), padded. */
  bias?: GPUBuffer;
  /** Another 16-byte buffer, bound where there is no bias (a writable binding may not alias the mask's). */
  unusedBias: GPUBuffer;
  /** c is (M, N), padded: N a multiple of 4, and M too for 'gradient'. */
  M: number;
  K: number;
  N: number;
  /** For 'update': alpha / rows. */
  scale?: number;
  /** c's columns before padding (default N): the 'activate' epilogue keeps the rest 0. */
  columns?: number;
  /** The register tile and workgroup; chosen from the shape when not given. */
  tiles?: Tiles;
}

export interface Tiles {
  /** 4-row blocks per invocation. */
  bm: 1 | 2;
  /** 4-column blocks per invocation. */
  bn: 1 | 2 | 4;
  wx: number;
  wy: number;
}

/** Tiles from the biggest (8×16 outputs per invocation) down; measured fastest first on SwiftShader. */
export const TILE_ORDER: readonly [1 | 2, 1 | 2 | 4][] = [
  [2, 4],
  [2, 2],
  [1, 2],
  [2, 1],
  [1, 1],
];

/**
 * The biggest register tile that still leaves enough invocations (64) to keep every core busy;
 * tiny outputs get 4×4 tiles. Workgroups of 2×4 invocations, within the device's limits.
 */
export function chooseTiles(ctx: GpuContext, M: number, N: number): Tiles {
  const invocations = (bm: number, bn: number): number => Math.ceil(M / (4 * bm)) * Math.ceil(N / (4 * bn));
  const [bm, bn] = TILE_ORDER.find(([m, n]) => invocations(m, n) >= 64) ?? [1, 1];
  const limits = ctx.limits;
  const wx = Math.min(2, limits.maxComputeWorkgroupSizeX);
  const wy = Math.max(1, Math.min(4, limits.maxComputeWorkgroupSizeY, Math.floor(limits.maxComputeInvocationsPerWorkgroup / wx)));
  return { bm, bn, wx, wy };
}

export async function matmulFast(ctx: GpuContext, args: FastMatmulArgs): Promise<Dispatch> {
  const { M, K, N } = args;
  if (N % 4 !== 0 || (args.form !== 'forward' && args.form !== 'backward' && M % 4 !== 0)) {
    throw new RangeError(`${args.label}: matmul_fast needs padded shapes, got M=${M} N=${N}`);
  }
  if ((args.form === 'forward' || args.form === 'backward') && K % 4 !== 0) {
    throw new RangeError(`${args.label}: matmul_fast needs K a multiple of 4 for ${args.form}, got ${K}`);
  }
  const tiles = args.tiles ?? chooseTiles(ctx, M, N);
  const k = await kernel(ctx, composeShaders((args.activation ?? relu).shader, matmulFastShader), {
    constants: { WX: tiles.wx, WY: tiles.wy, BM: tiles.bm, BN: tiles.bn, EPILOGUE: EPILOGUES[args.epilogue], HAS_BIAS: args.bias !== undefined },
    entryPoint: args.form,
  });
  const params = uniformFor(ctx, k, `${args.label}.params`, 'p', { M, K, N, scale: args.scale ?? 0, N_logical: args.columns ?? N });
  const buffers = { p: params, a: args.a, b: args.b, c: args.c, mask: args.mask ?? args.unusedMask, bias: args.bias ?? args.unusedBias };
  return {
    label: args.label,
    kernel: k,
    bindGroup: bindGroup(ctx, args.label, k, buffers),
    workgroups: grid2d(ctx, M, N / 4, tiles.bn * tiles.wx, 4 * tiles.bm * tiles.wy, args.label),
    bound: boundLabels(buffers, [params, args.unusedMask, args.unusedBias]),
    owned: [params],
    uniforms: { M, K, N, scale: args.scale ?? 0, N_logical: args.columns ?? N },
    // Each invocation computes a tile of 4·BM rows × 4·BN columns: i = id.y · 4 · BM, columns from 4 · id.x · BN.
    grid: {
      size: [tiles.wx, tiles.wy],
      output: 'c',
      owner: (row, col) => [Math.floor(col / (4 * tiles.bn)), Math.floor(row / (4 * tiles.bm))],
      reads: (row, col) =>
        args.form === 'forward'
          ? [{ binding: 'a', row }, { binding: 'b', col }]
          : args.form === 'backward'
            ? [{ binding: 'a', row }, { binding: 'b', row: col }, { binding: 'mask', row, col }]
            : [{ binding: 'a', col: row }, { binding: 'b', col }],
    },
    ...(args.epilogue === 'update' ? { scale: { buffer: params, offset: uniformOffset(k.reflection, 'p', 'scale') } } : {}),
  };
}
