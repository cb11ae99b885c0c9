// The fast matmul in five variants with one fused epilogue (shaders/matmul_epilogue.wgsl):
// register-blocked 4×4 tiles read straight from memory (shaders/matmul_fast.wgsl), the same with
// each quad of lanes sharing its reads of the right operand (shaders/matmul_quad.wgsl, where the
// adapter has subgroups), and tiles staged in workgroup memory: (4T)×(4T) with a 4×4 block per
// invocation (shaders/matmul_tiled.wgsl), or 128×128 with 8×8 or 8×16 outputs per invocation
// (shaders/matmul_tiled128.wgsl), the shapes fast GPUs like; and, for outputs too small to keep a
// GPU busy, each 4×4 block summed by 4 or 16 invocations at once, the sum split along K
// (shaders/matmul_splitk.wgsl).
// Which is faster depends on the adapter,
// so matmulFastFor() measures the candidates on a shape's first use and remembers the winner per
// adapter (ctx.kernelChoices). Operands are padded: every row a multiple of 4 floats long.

import enableSubgroupsCode from '../../shaders/enable_subgroups.wgsl?raw';
import code from '../../shaders/matmul_fast.wgsl?raw';
import epilogueCode from '../../shaders/matmul_epilogue.wgsl?raw';
import quadCode from '../../shaders/matmul_quad.wgsl?raw';
import tiledCode from '../../shaders/matmul_tiled.wgsl?raw';
import tiled128Code from '../../shaders/matmul_tiled128.wgsl?raw';
import splitkCode from '../../shaders/matmul_splitk.wgsl?raw';
import type { GpuContext } from '../gpu/context.js';
import { bindGroup, boundLabels, composeShaders, grid2d, kernel, runRepeated, uniformFor, type Dispatch, type Shader } from '../gpu/pipeline.js';
import type { Activation } from '../ops/activations/activation.js';
import { relu } from '../ops/activations/relu.js';
import { uniformOffset } from '../gpu/wgsl.js';
import { calibrate } from '../gpu/timing.js';

export const matmulFastShader: Shader = { name: 'matmul_fast', code };
export const matmulEpilogueShader: Shader = { name: 'matmul_epilogue', code: epilogueCode };
export const matmulTiledShader: Shader = { name: 'matmul_tiled', code: tiledCode };
export const matmulTiled128Shader: Shader = { name: 'matmul_tiled128', code: tiled128Code };
export const matmulSplitKShader: Shader = { name: 'matmul_splitk', code: splitkCode };
export const matmulQuadShader: Shader = { name: 'matmul_quad', code: quadCode };
const enableSubgroupsShader: Shader = { name: 'enable_subgroups', code: enableSubgroupsCode };

/**
 * A fast matmul variant: register tiles of the given shape, the same tiles with reads shared by
 * each quad (needs the subgroups feature), workgroup tiles of T × T invocations with a 4×4 block
 * each, 128×128 workgroup tiles of 16 × 16 invocations with 8×8 outputs each (or, `wide`, 8 × 16
 * invocations with 8×16 outputs each, in slices of 16 terms), or 16×16 blocks whose every 4×4
 * block is summed by `ways` invocations, each over its share of the terms.
 */
export type Variant = { kind: 'register'; tiles?: Tiles } | { kind: 'quad'; tiles?: Tiles } | { kind: 'tiled'; side: 8 | 16 } | { kind: 'tiled128'; wide?: boolean } | { kind: 'splitk'; ways: SplitWays };

/** Invocations per 4×4 block in the split-K variant: 16 keeps MNIST's small products busy, 4 suits larger ones. */
export type SplitWays = 4 | 16;
export const SPLIT_WAYS: readonly SplitWays[] = [16, 4];

/** The workgroup-memory variants, built by matmulStaged(). */
type Staged = Extract<Variant, { kind: 'tiled' | 'tiled128' | 'splitk' }>;

const FORMS: Record<FastForm, number> = { forward: 0, backward: 1, gradient: 2 };

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
  /** Which variant to build (default: register-blocked). matmulFastFor() picks the fastest. */
  variant?: Variant;
}

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

export async function matmulFast(ctx: GpuContext, args: FastMatmulArgs): Promise<Dispatch> {
  const { M, K, N } = args;
  if (N % 4 !== 0 || (args.form !== 'forward' && args.form !== 'backward' && M % 4 !== 0)) {
    throw new RangeError(`${args.label}: matmul_fast needs padded shapes, got M=${M} N=${N}`);
  }
  if ((args.form === 'forward' || args.form === 'backward') && K % 4 !== 0) {
    throw new RangeError(`${args.label}: matmul_fast needs K a multiple of 4 for ${args.form}, got ${K}`);
  }
  const kind = args.variant?.kind;
  if (kind === 'tiled' || kind === 'tiled128' || kind === 'splitk') return matmulStaged(ctx, args, args.variant as Staged);
  const quad = args.variant?.kind === 'quad';
  if (quad && !ctx.hasSubgroups) throw new RangeError(`${args.label}: the quad variant needs the subgroups feature, which this device lacks`);
  const tiles = args.variant?.tiles ?? args.tiles ?? (quad ? quadTiles(ctx, M, N) : chooseTiles(ctx, M, N));
  if (!quad && (tiles.bm > 2 || tiles.bn > 4)) throw new RangeError(`${args.label}: a ${4 * tiles.bm}×${4 * tiles.bn} tile is the quad variant's; matmul_fast.wgsl holds at most 8×16`);
  const activation = (args.activation ?? relu).shader;
  const shader = quad
    ? composeShaders(enableSubgroupsShader, activation, matmulEpilogueShader, matmulFastShader, matmulQuadShader)
    : composeShaders(activation, matmulEpilogueShader, matmulFastShader);
  const k = await kernel(ctx, shader, {
    constants: { WX: tiles.wx, WY: tiles.wy, BM: tiles.bm, BN: tiles.bn, EPILOGUE: EPILOGUES[args.epilogue], HAS_BIAS: args.bias !== undefined },
    entryPoint: quad ? `${args.form}_quad` : args.form,
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
    variant: `${quad ? 'quad' : 'register'} ${4 * tiles.bm}×${4 * tiles.bn}`,
    // Each invocation computes a tile of 4·BM rows × 4·BN columns: i = id.y · 4 · BM, columns from 4 · id.x · BN.
    grid: {
      size: [tiles.wx, tiles.wy],
      output: 'c',
      owner: (row, col) => [Math.floor(col / (4 * tiles.bn)), Math.floor(row / (4 * tiles.bm))],
      reads: readsOf(args.form),
    },
    ...(args.epilogue === 'update' ? { scale: { buffer: params, offset: uniformOffset(k.reflection, 'p', 'scale') } } : {}),
  };
}

/** What output cell (row, col) is computed from, in each form: for the page's picture of the grid. */
function readsOf(form: FastForm): NonNullable<Dispatch['grid']>['reads'] {
  return (row, col) =>
    form === 'forward'
      ? [{ binding: 'a', row }, { binding: 'b', col }]
      : form === 'backward'
        ? [{ binding: 'a', row }, { binding: 'b', row: col }, { binding: 'mask', row, col }]
        : [{ binding: 'a', col: row }, { binding: 'b', col }];
}

/**
 * The quad variant's tiles, biggest first (16×32 outputs per invocation): with a quarter of the
 * right operand's reads, bigger tiles pay (on SwiftShader 16×32 ran a third faster than 8×16).
 */
export const QUAD_TILE_ORDER: readonly [1 | 2 | 4, 1 | 2 | 4 | 8][] = [[4, 8], [2, 8], [4, 4], ...TILE_ORDER];

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

/** What tells the workgroup-memory variants apart: their shader, its constants, the block of c a workgroup computes. */
interface StagedLayout {
  shader: Shader;
  constants: Record<string, number>;
  /** Rows and columns of c per workgroup. */
  block: number;
  /** Invocations per workgroup, across and down. */
  size: [number, number];
  /** Bytes of workgroup memory a workgroup declares. */
  workgroupBytes: number;
  /** Which invocation (global x, y) computes output cell (row, col), for the page's picture of the grid. */
  owner: (row: number, col: number) => [number, number];
  /** The variant's name, as the dispatch and the benchmark show it. */
  name: string;
}

function stagedLayout(variant: Staged): StagedLayout {
  if (variant.kind === 'splitk') {
    const { ways } = variant;
    return {
      shader: matmulSplitKShader,
      constants: { S: ways },
      block: 16,
      size: [16 * ways, 1],
      // One partial 4×4 block (64 bytes) per invocation.
      workgroupBytes: 16 * ways * 64,
      // The invocation of run 0 that adds up and writes the cell's 4×4 block: index (row mod 16) / 4 · 4 + (col mod 16) / 4.
      owner: (row, col) => [16 * ways * Math.floor(col / 16) + 4 * Math.floor((row % 16) / 4) + Math.floor((col % 16) / 4), Math.floor(row / 16)],
      name: `split-K ×${ways}`,
    };
  }
  if (variant.kind === 'tiled128') {
    // 16 × 16 invocations of 8×8 outputs, slices of 8 terms; wide: 8 × 16 of 8×16, slices of 16.
    const tx = variant.wide ? 8 : 16;
    const kt = variant.wide ? 16 : 8;
    return {
      shader: matmulTiled128Shader,
      constants: { TX: tx, KT: kt },
      block: 128,
      size: [tx, 16],
      // slice_a and slice_b, KT · 32 vec4s each.
      workgroupBytes: 2 * kt * 32 * 16,
      // Within its workgroup's 128×128 block, cell (r, c) is invocation ((c mod 4·TX) / 4, (r mod 64) / 4)'s.
      owner: (row, col) => [tx * Math.floor(col / 128) + Math.floor((col % (4 * tx)) / 4), 16 * Math.floor(row / 128) + Math.floor((row % 64) / 4)],
      name: variant.wide ? 'tiled 128×128 (8×16 each)' : 'tiled 128×128',
    };
  }
  const side = variant.side;
  return {
    shader: matmulTiledShader,
    constants: { T: side },
    block: 4 * side,
    size: [side, side],
    // slice_a and slice_b, KT (16) × MAX_SIDE (64) floats each, whatever T.
    workgroupBytes: 2 * 16 * 64 * 4,
    owner: (row, col) => [Math.floor(col / 4), Math.floor(row / 4)],
    name: `tiled ${side}×${side}`,
  };
}

/** Whether the device takes a variant's workgroups and their workgroup memory. */
function stagedFits(ctx: GpuContext, variant: Staged): boolean {
  const { size, workgroupBytes } = stagedLayout(variant);
  const l = ctx.limits;
  return size[0] <= l.maxComputeWorkgroupSizeX && size[1] <= l.maxComputeWorkgroupSizeY && size[0] * size[1] <= l.maxComputeInvocationsPerWorkgroup && workgroupBytes <= l.maxComputeWorkgroupStorageSize;
}

/**
 * The variants that share values through workgroup memory: T × T invocations each computing a 4×4
 * block, a (4T) × (4T) block per workgroup (matmul_tiled.wgsl); 16 × 16 invocations each computing
 * the 4×4 blocks at rows 4y and 64 + 4y and column vec4s x and 16 + x of a 128×128 block, or 8 × 16
 * invocations those at column vec4s x, 8 + x, 16 + x and 24 + x (matmul_tiled128.wgsl); or 16 · S
 * invocations summing a 16×16 block's 4×4 blocks S ways and adding up their partial blocks there
 * (matmul_splitk.wgsl).
 */
async function matmulStaged(ctx: GpuContext, args: FastMatmulArgs, variant: Staged): Promise<Dispatch> {
  const { M, K, N } = args;
  const layout = stagedLayout(variant);
  if (!stagedFits(ctx, variant)) {
    throw new RangeError(`${args.label}: the ${layout.name} matmul needs workgroups of ${layout.size.join(' × ')} invocations and ${layout.workgroupBytes} bytes of workgroup memory, more than this device allows`);
  }
  const k = await kernel(ctx, composeShaders((args.activation ?? relu).shader, matmulEpilogueShader, layout.shader), {
    constants: { ...layout.constants, FORM: FORMS[args.form], EPILOGUE: EPILOGUES[args.epilogue], HAS_BIAS: args.bias !== undefined },
  });
  const uniforms = { M, K, N, scale: args.scale ?? 0, N_logical: args.columns ?? N };
  const params = uniformFor(ctx, k, `${args.label}.params`, 'p', uniforms);
  const buffers = { p: params, a: args.a, b: args.b, c: args.c, mask: args.mask ?? args.unusedMask, bias: args.bias ?? args.unusedBias };
  return {
    label: args.label,
    kernel: k,
    bindGroup: bindGroup(ctx, args.label, k, buffers),
    workgroups: grid2d(ctx, M, N, layout.block, layout.block, args.label),
    bound: boundLabels(buffers, [params, args.unusedMask, args.unusedBias]),
    owned: [params],
    uniforms,
    variant: layout.name,
    grid: { size: layout.size, output: 'c', owner: layout.owner, reads: readsOf(args.form) },
    ...(args.epilogue === 'update' ? { scale: { buffer: params, offset: uniformOffset(k.reflection, 'p', 'scale') } } : {}),
  };
}

/** 128×128 blocks of c from which the big-tile variants are measured: 64, as in a 1024×1024 output. */
export const BIG_TILES_FROM = 64;

/** The variants worth measuring on this device for a shape. */
export function candidates(ctx: GpuContext, M: number, N: number): Variant[] {
  const list: Variant[] = [{ kind: 'register', tiles: chooseTiles(ctx, M, N) }];
  if (ctx.hasSubgroups) {
    const tiles = quadTiles(ctx, M, N);
    list.push({ kind: 'quad', tiles });
    // And the biggest tile, however few invocations it leaves: a CPU rasterizer runs only a few
    // lanes at once (on SwiftShader 16×32 wins even at 100×784×128, with 28 invocations), a GPU
    // starves on them; measuring decides.
    const [bm, bn] = QUAD_TILE_ORDER[0]!;
    if (tiles.bm !== bm || tiles.bn !== bn) list.push({ kind: 'quad', tiles: { ...tiles, bm, bn } });
  }
  const staged: Staged[] = [
    { kind: 'tiled', side: 8 },
    { kind: 'tiled', side: 16 },
    // 128×128 blocks, 8×8 outputs per invocation (on an H200 the fastest from 2048³ up) and 8×16
    // (CLBlast's tuner's choice on an NVIDIA GPU; not yet measured on one), only where c has
    // BIG_TILES_FROM of them: fewer cannot keep a GPU's cores busy (an H200 has 132), and on a
    // software adapter each costs seconds to compile.
    ...(M > 128 && N > 128 && M * N >= BIG_TILES_FROM * 128 * 128 ? [{ kind: 'tiled128' } as const, { kind: 'tiled128', wide: true } as const] : []),
    // The sum split 16 and 4 ways: on an H200, ×16 ran MNIST's forward product (100×784×128) 10×
    // faster than any of the above and ×4 led at 512³ and 1024³ (README, Speed).
    ...SPLIT_WAYS.map((ways) => ({ kind: 'splitk', ways }) as const),
  ];
  return [...list, ...staged.filter((v) => stagedFits(ctx, v))];
}

function encodeVariant(v: Variant): string {
  if (v.kind === 'tiled128') return v.wide ? 'tiled128:wide' : 'tiled128:';
  if (v.kind === 'splitk') return `splitk:${v.ways}`;
  return v.kind === 'tiled' ? `tiled:${v.side}` : `${v.kind}:${v.tiles ? `${v.tiles.bm},${v.tiles.bn},${v.tiles.wx},${v.tiles.wy}` : ''}`;
}

function decodeVariant(text: string | undefined): Variant | undefined {
  const [kind, rest] = (text ?? '').split(':');
  if (kind === 'tiled' && (rest === '8' || rest === '16')) return { kind, side: Number(rest) as 8 | 16 };
  if (kind === 'tiled128' && rest === '') return { kind };
  if (kind === 'tiled128' && rest === 'wide') return { kind, wide: true };
  if (kind === 'splitk' && (rest === '4' || rest === '16')) return { kind, ways: Number(rest) as SplitWays };
  if (kind === 'register' || kind === 'quad') {
    const n = (rest ?? '').split(',').map(Number);
    if (n.length === 4 && [1, 2, 4].includes(n[0]!) && [1, 2, 4, 8].includes(n[1]!) && n[2]! >= 1 && n[3]! >= 1) {
      const tiles = { bm: n[0] as Tiles['bm'], bn: n[1] as Tiles['bn'], wx: n[2]!, wy: n[3]! };
      // A choice edited by hand is only used where it can run.
      if (kind === 'register' && tiles.bm <= 2 && tiles.bn <= 4) return { kind, tiles };
      if (kind === 'quad' && tiles.wx === 1 && tiles.wy % 4 === 0) return { kind, tiles };
    }
  }
  return undefined;
}

/** The least a timed submit of the candidates lasts, in ms (a software adapter's take 10 ms or more anyway). */
const MEASURE_MS = 5;

/** Multiply-adds from which a product's variant is measured: 2²³, so that MNIST's first layer (100×784×128) is. */
export const MEASURE_FROM = 1 << 23;

/** The key a choice is kept under: the adapter and its limits that matter, the product and its shape. */
function choiceKey(ctx: GpuContext, args: FastMatmulArgs): string {
  return `${ctx.adapterName}|${args.form}|${args.epilogue}|${args.bias ? 'bias' : ''}|${args.M}x${args.K}x${args.N}`;
}

/**
 * The fast matmul in the variant measured fastest for this shape on this adapter: on first use
 * each candidate runs on scratch buffers of the same sizes (a warm-up, then the fastest of 3
 * timed submits, the candidates taking turns), and the winner is kept in ctx.kernelChoices;
 * later uses build it directly.
 * Products under MEASURE_FROM multiply-adds run without measuring: quad where the device has
 * subgroups, else register-blocked.
 */
export async function matmulFastFor(ctx: GpuContext, args: FastMatmulArgs): Promise<Dispatch> {
  if (args.variant || args.tiles) return matmulFast(ctx, args);
  // Below this size a product costs less than compiling the candidates would (seconds each on a
  // software adapter): it runs unmeasured, as the variant that reads least from memory this device
  // can run, quad where it has subgroups, else register-blocked.
  if (args.M * args.K * args.N < MEASURE_FROM) return matmulFast(ctx, ctx.hasSubgroups ? { ...args, variant: { kind: 'quad' } } : args);
  const key = choiceKey(ctx, args);
  let variant = decodeVariant(ctx.kernelChoices.get(key));
  // A quad kept where the device has no subgroups (the same adapter in another browser) is measured again.
  if (variant?.kind === 'quad' && !ctx.hasSubgroups) variant = undefined;
  if (!variant) {
    variant = await measureVariants(ctx, args);
    ctx.kernelChoices.set(key, encodeVariant(variant));
  }
  return matmulFast(ctx, { ...args, variant });
}

async function measureVariants(ctx: GpuContext, args: FastMatmulArgs): Promise<Variant> {
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
  // a burst of a few ms on a busy machine decide (once, 100×784×128 timed one product per submit
  // chose register-blocked, half as fast as quad there), and the choice is kept.
  const flops = 2 * args.M * args.K * args.N;
  let repeat = Math.min(64, Math.max(1, Math.ceil(5e7 / flops)));
  const built: Dispatch[] = [];
  try {
    for (const variant of list) built.push(await matmulFast(ctx, { ...args, ...scratch, mask: scratch.mask, bias: scratch.bias, label: `${args.label} (measuring)`, variant }));
    // A warm-up, then 3 timed rounds with the candidates taking turns, so that a burst of other
    // work on the machine slows them all alike; each keeps its fastest round.
    const fastest = built.map(() => Infinity);
    for (let round = 0; round < 4; round++) {
      const best = Math.min(...fastest);
      for (const [i, d] of built.entries()) {
        // One that took over 3× the fastest in a timed round is out: no burst of other work on
        // the machine makes that up, and on a CPU rasterizer a workgroup-tiled product takes seconds.
        if (fastest[i]! > 3 * best) continue;
        const started = performance.now();
        await runRepeated(ctx, d, repeat);
        if (round > 0) fastest[i] = Math.min(fastest[i]!, performance.now() - started);
      }
      // After the warm-up, on a GPU fast enough that a submit is over in under MEASURE_MS: more
      // products per submit, or the round trip would decide (the same for every candidate).
      if (round === 0) repeat = await calibrate((n) => runRepeated(ctx, built[0]!, n), repeat, MEASURE_MS, 4096, true);
    }
    return list[fastest.indexOf(Math.min(...fastest))]!;
  } finally {
    for (const d of built) for (const buffer of d.owned) ctx.destroyBuffer(buffer);
    for (const buffer of Object.values(scratch)) if (buffer) ctx.destroyBuffer(buffer);
  }
}
