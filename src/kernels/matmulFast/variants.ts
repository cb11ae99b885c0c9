// The fast matmul's variants as data: for each, its WGSL files, its override constants, its
// workgroup and the block of c each computes, the workgroup memory it takes, and which shapes and
// devices it suits. build.ts assembles any of them; tuner.ts measures the candidates; the page
// shows the one that ran. Every variant finishes with the same fused epilogue
// (shaders/matmul_epilogue.wgsl), whose FORM and EPILOGUE constants are named below as there.
//   register  each invocation a (4·BM)×(4·BN) tile in registers, read straight from memory (matmul_fast.wgsl)
//   quad      the same, each quad of lanes sharing its reads of b (matmul_quad.wgsl; the subgroups feature)
//   tiled     T × T invocations of a 4×4 block, slices staged in workgroup memory (matmul_tiled.wgsl)
//   tiled128  128×128 blocks, 16 × 16 invocations of 8×8 outputs or (wide) 8 × 16 of 8×16 (matmul_tiled128.wgsl)
//   splitk    each 4×4 block summed by 4 or 16 invocations, the sum split along K (matmul_splitk.wgsl)

import enableSubgroupsCode from '../../../shaders/enable_subgroups.wgsl?raw';
import epilogueCode from '../../../shaders/matmul_epilogue.wgsl?raw';
import fastCode from '../../../shaders/matmul_fast.wgsl?raw';
import quadCode from '../../../shaders/matmul_quad.wgsl?raw';
import splitkCode from '../../../shaders/matmul_splitk.wgsl?raw';
import tiledCode from '../../../shaders/matmul_tiled.wgsl?raw';
import tiled128Code from '../../../shaders/matmul_tiled128.wgsl?raw';
import type { GpuContext } from '../../gpu/context.js';
import { shaderFile, type Shader } from '../../gpu/shader.js';
import { chooseTiles, quadTiles, type Tiles } from './tiles.js';

export const matmulEpilogueShader = shaderFile('matmul_epilogue', epilogueCode);
export const matmulFastShader = shaderFile('matmul_fast', fastCode);
const enableSubgroupsShader = shaderFile('enable_subgroups', enableSubgroupsCode);
const quadShader = shaderFile('matmul_quad', quadCode);
const tiledShader = shaderFile('matmul_tiled', tiledCode);
const tiled128Shader = shaderFile('matmul_tiled128', tiled128Code);
const splitkShader = shaderFile('matmul_splitk', splitkCode);

/** forward: c = a·b; backward: c = a·bᵀ; gradient: c = aᵀ·b. */
export type FastForm = 'forward' | 'backward' | 'gradient';

/** FORM_FORWARD, FORM_BACKWARD, FORM_GRADIENT in matmul_epilogue.wgsl. */
export const FORM: Readonly<Record<FastForm, number>> = { forward: 0, backward: 1, gradient: 2 };

/** store c; activation(c); c · activation2deriv(mask); weights -= scale · c. */
export type Epilogue = 'store' | 'activate' | 'activate2deriv' | 'update';

/** EPILOGUE_STORE, EPILOGUE_ACTIVATE, EPILOGUE_DERIV, EPILOGUE_UPDATE in matmul_epilogue.wgsl. */
export const EPILOGUE: Readonly<Record<Epilogue, number>> = { store: 0, activate: 1, activate2deriv: 2, update: 3 };

/** Invocations per 4×4 block in the split-K variant: 16 keeps MNIST's small products busy, 4 suits larger ones. */
export type SplitWays = 4 | 16;
export const SPLIT_WAYS: readonly SplitWays[] = [16, 4];

export type Variant =
  | { kind: 'register'; tiles?: Tiles }
  | { kind: 'quad'; tiles?: Tiles }
  | { kind: 'tiled'; side: 8 | 16 }
  | { kind: 'tiled128'; wide?: boolean }
  | { kind: 'splitk'; ways: SplitWays };

/** Everything that tells one variant's kernel apart, for a shape. */
export interface Layout {
  /** As the dispatch, the page and the benchmark show it. */
  name: string;
  /** Files compiled before the activation's: directives, which WGSL wants first (enable subgroups). */
  directives: readonly Shader[];
  /** Its files after the activation's, in the order they are compiled. */
  shaders: readonly Shader[];
  /** Override constants beside FORM, EPILOGUE and HAS_BIAS. */
  constants: Readonly<Record<string, number>>;
  /** One entry point per form (register, quad), or 'main' with the form as the FORM constant. */
  entryPoint(form: FastForm): string;
  formAsConstant: boolean;
  /** Invocations per workgroup, across and down. */
  size: [number, number];
  /** Rows of c and columns of c per workgroup. */
  block: [number, number];
  /** Bytes of workgroup memory a workgroup declares. */
  workgroupBytes: number;
  /** Which invocation (global x, y) computes output cell (row, col), for the page's picture of the grid. */
  owner(row: number, col: number): [number, number];
  /** It uses subgroup operations. */
  subgroups: boolean;
}

/** A variant's layout for an output of M × N (the register tiles depend on it). */
export function layoutOf(ctx: GpuContext, v: Variant, M: number, N: number): Layout {
  switch (v.kind) {
    case 'register':
    case 'quad': {
      const quad = v.kind === 'quad';
      const t = v.tiles ?? (quad ? quadTiles(ctx, M, N) : chooseTiles(ctx, M, N));
      return {
        name: `${v.kind} ${4 * t.bm}×${4 * t.bn}`,
        directives: quad ? [enableSubgroupsShader] : [],
        shaders: quad ? [matmulEpilogueShader, matmulFastShader, quadShader] : [matmulEpilogueShader, matmulFastShader],
        constants: { WX: t.wx, WY: t.wy, BM: t.bm, BN: t.bn },
        entryPoint: (form) => (quad ? `${form}_quad` : form),
        formAsConstant: false,
        size: [t.wx, t.wy],
        block: [4 * t.bm * t.wy, 4 * t.bn * t.wx],
        workgroupBytes: 0,
        // Each invocation computes a tile of 4·BM rows × 4·BN columns: i = id.y · 4 · BM, columns from 4 · id.x · BN.
        owner: (row, col) => [Math.floor(col / (4 * t.bn)), Math.floor(row / (4 * t.bm))],
        subgroups: quad,
      };
    }
    case 'tiled': {
      const side = v.side;
      return staged(`tiled ${side}×${side}`, tiledShader, { T: side }, [side, side], 4 * side, 2 * 16 * 64 * 4, (row, col) => [Math.floor(col / 4), Math.floor(row / 4)]);
    }
    case 'tiled128': {
      // 16 × 16 invocations of 8×8 outputs, slices of 8 terms; wide: 8 × 16 of 8×16, slices of 16.
      const tx = v.wide ? 8 : 16;
      const kt = v.wide ? 16 : 8;
      // slice_a and slice_b, KT · 32 vec4s each. Within a 128×128 block, cell (r, c) is invocation ((c mod 4·TX) / 4, (r mod 64) / 4)'s.
      return staged(v.wide ? 'tiled 128×128 (8×16 each)' : 'tiled 128×128', tiled128Shader, { TX: tx, KT: kt }, [tx, 16], 128, 2 * kt * 32 * 16, (row, col) => [
        tx * Math.floor(col / 128) + Math.floor((col % (4 * tx)) / 4),
        16 * Math.floor(row / 128) + Math.floor((row % 64) / 4),
      ]);
    }
    case 'splitk': {
      const { ways } = v;
      // One partial 4×4 block (64 bytes) per invocation. The invocation of run 0 that adds up and
      // writes the cell's 4×4 block: index (row mod 16) / 4 · 4 + (col mod 16) / 4.
      return staged(`split-K ×${ways}`, splitkShader, { S: ways }, [16 * ways, 1], 16, 16 * ways * 64, (row, col) => [
        16 * ways * Math.floor(col / 16) + 4 * Math.floor((row % 16) / 4) + Math.floor((col % 16) / 4),
        Math.floor(row / 16),
      ]);
    }
  }
}

/** A variant staged in workgroup memory: one entry point, the form as FORM, a square block of c per workgroup. */
function staged(name: string, shader: Shader, constants: Record<string, number>, size: [number, number], block: number, workgroupBytes: number, owner: Layout['owner']): Layout {
  return { name, directives: [], shaders: [matmulEpilogueShader, shader], constants, entryPoint: () => 'main', formAsConstant: true, size, block: [block, block], workgroupBytes, owner, subgroups: false };
}

/** Whether the device can run a layout: its workgroup, its workgroup memory, its features. */
export function fits(ctx: GpuContext, layout: Layout): boolean {
  const l = ctx.limits;
  const [x, y] = layout.size;
  return (
    (!layout.subgroups || ctx.hasSubgroups) &&
    x <= l.maxComputeWorkgroupSizeX &&
    y <= l.maxComputeWorkgroupSizeY &&
    x * y <= l.maxComputeInvocationsPerWorkgroup &&
    layout.workgroupBytes <= l.maxComputeWorkgroupStorageSize
  );
}

/** 128×128 blocks of c from which the big-tile variants are worth measuring: 64, as in a 1024×1024 output. */
export const BIG_TILES_FROM = 64;

/**
 * The variants worth measuring on this device for a shape: register-blocked; quad at the tile the
 * shape suggests and at the biggest (a CPU rasterizer runs only a few lanes at once, and on
 * SwiftShader 16×32 wins even at 100×784×128 with 28 invocations; a GPU starves on them);
 * workgroup-tiled; 128×128 blocks only where c has BIG_TILES_FROM of them (fewer cannot keep a GPU's
 * cores busy, an H200 has 132, and on a software adapter each costs seconds to compile); and split-K.
 */
export function candidates(ctx: GpuContext, M: number, N: number): Variant[] {
  const list: Variant[] = [{ kind: 'register', tiles: chooseTiles(ctx, M, N) }];
  if (ctx.hasSubgroups) {
    const tiles = quadTiles(ctx, M, N);
    list.push({ kind: 'quad', tiles });
    const biggest = { ...tiles, bm: 4, bn: 8 } as const;
    if (tiles.bm !== biggest.bm || tiles.bn !== biggest.bn) list.push({ kind: 'quad', tiles: biggest });
  }
  list.push({ kind: 'tiled', side: 8 }, { kind: 'tiled', side: 16 });
  if (M > 128 && N > 128 && M * N >= BIG_TILES_FROM * 128 * 128) list.push({ kind: 'tiled128' }, { kind: 'tiled128', wide: true });
  for (const ways of SPLIT_WAYS) list.push({ kind: 'splitk', ways });
  return list.filter((v) => fits(ctx, layoutOf(ctx, v, M, N)));
}

/** The variant a shape runs without measuring: quad where the device has subgroups (it reads least), else register-blocked. */
export function defaultVariant(ctx: GpuContext): Variant {
  return ctx.hasSubgroups ? { kind: 'quad' } : { kind: 'register' };
}

/** A variant as a choice store keeps it. */
export function encodeVariant(v: Variant): string {
  switch (v.kind) {
    case 'tiled128':
      return v.wide ? 'tiled128:wide' : 'tiled128:';
    case 'splitk':
      return `splitk:${v.ways}`;
    case 'tiled':
      return `tiled:${v.side}`;
    default:
      return `${v.kind}:${v.tiles ? `${v.tiles.bm},${v.tiles.bn},${v.tiles.wx},${v.tiles.wy}` : ''}`;
  }
}

/** A kept choice back as a variant; undefined for text that names none this code can run (a file edited by hand, an older version's). */
export function decodeVariant(text: string | undefined): Variant | undefined {
  const [kind, rest] = (text ?? '').split(':');
  if (kind === 'tiled' && (rest === '8' || rest === '16')) return { kind, side: Number(rest) as 8 | 16 };
  if (kind === 'tiled128' && rest === '') return { kind };
  if (kind === 'tiled128' && rest === 'wide') return { kind, wide: true };
  if (kind === 'splitk' && (rest === '4' || rest === '16')) return { kind, ways: Number(rest) as SplitWays };
  if (kind === 'register' || kind === 'quad') {
    const n = (rest ?? '').split(',').map(Number);
    if (n.length === 4 && [1, 2, 4].includes(n[0]!) && [1, 2, 4, 8].includes(n[1]!) && n[2]! >= 1 && n[3]! >= 1) {
      const tiles = { bm: n[0] as Tiles['bm'], bn: n[1] as Tiles['bn'], wx: n[2]!, wy: n[3]! };
      if (kind === 'register' && tiles.bm <= 2 && tiles.bn <= 4) return { kind, tiles };
      if (kind === 'quad' && tiles.wx === 1 && tiles.wy % 4 === 0) return { kind, tiles };
    }
  }
  return undefined;
}
