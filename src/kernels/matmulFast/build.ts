// The fast matmul's dispatch, in any variant (variants.ts): the activation's file, then the
// variant's files, compiled with its constants, the form and the epilogue; operands padded, every
// row a multiple of 4 floats long.

import type { GpuContext } from '../../gpu/context.js';
import { assemble, grid2d, type Dispatch, type InvocationGrid } from '../../gpu/dispatch.js';
import { kernel } from '../../gpu/kernel.js';
import { composeShaders } from '../../gpu/shader.js';
import type { Activation } from '../../ops/activations/activation.js';
import { relu } from '../../ops/activations/relu.js';
import type { Tiles } from './tiles.js';
import { EPILOGUE, fits, FORM, layoutOf, type Epilogue, type FastForm, type Variant } from './variants.js';

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
  /** The register tile and workgroup of the register-blocked variant, instead of the shape's. */
  tiles?: Tiles;
  /** Which variant to build (default: register-blocked). tuner.ts picks the fastest. */
  variant?: Variant;
}

export async function matmulFast(ctx: GpuContext, args: FastMatmulArgs): Promise<Dispatch> {
  const { M, K, N, form } = args;
  if (N % 4 !== 0 || (form === 'gradient' && M % 4 !== 0)) throw new RangeError(`${args.label}: the fast matmul needs padded shapes, got M=${M} N=${N}`);
  if (form !== 'gradient' && K % 4 !== 0) throw new RangeError(`${args.label}: the fast matmul needs K a multiple of 4 for ${form}, got ${K}`);
  const chosen: Variant = args.variant ?? { kind: 'register' };
  const variant: Variant = (chosen.kind === 'register' || chosen.kind === 'quad') && !chosen.tiles && args.tiles ? { ...chosen, tiles: args.tiles } : chosen;
  const layout = layoutOf(ctx, variant, M, N);
  if (variant.kind === 'register' && (layout.constants.BM! > 2 || layout.constants.BN! > 4)) {
    throw new RangeError(`${args.label}: a ${layout.name.split(' ')[1]} tile is the quad variant's; matmul_fast.wgsl holds at most 8×16`);
  }
  if (!fits(ctx, layout)) {
    throw new RangeError(
      layout.subgroups && !ctx.hasSubgroups
        ? `${args.label}: the quad variant needs the subgroups feature, which this device lacks`
        : `${args.label}: the ${layout.name} matmul needs workgroups of ${layout.size.join(' × ')} invocations and ${layout.workgroupBytes} bytes of workgroup memory, more than this device allows`,
    );
  }
  const shader = composeShaders(...layout.directives, (args.activation ?? relu).shader, ...layout.shaders);
  const k = await kernel(ctx, shader, {
    constants: { ...layout.constants, ...(layout.formAsConstant ? { FORM: FORM[form] } : {}), EPILOGUE: EPILOGUE[args.epilogue], HAS_BIAS: args.bias !== undefined },
    entryPoint: layout.entryPoint(form),
  });
  const uniforms = { M, K, N, scale: args.scale ?? 0, N_logical: args.columns ?? N };
  return assemble(ctx, k, {
    label: args.label,
    uniform: { binding: 'p', values: uniforms },
    buffers: { a: args.a, b: args.b, c: args.c, mask: args.mask ?? args.unusedMask, bias: args.bias ?? args.unusedBias },
    placeholders: [args.unusedMask, args.unusedBias],
    workgroups: grid2d(ctx, M, N, layout.block[1], layout.block[0], args.label),
    grid: { size: layout.size, output: 'c', owner: layout.owner, reads: readsOf(form) },
    variant: layout.name,
    ...(args.epilogue === 'update' ? { scaleField: 'scale' } : {}),
  });
}

/** What output cell (row, col) is computed from, in each form: for the page's picture of the grid. */
function readsOf(form: FastForm): NonNullable<InvocationGrid['reads']> {
  return (row, col) =>
    form === 'forward'
      ? [{ binding: 'a', row }, { binding: 'b', col }]
      : form === 'backward'
        ? [{ binding: 'a', row }, { binding: 'b', row: col }, { binding: 'mask', row, col }]
        : [{ binding: 'a', col: row }, { binding: 'b', col }];
}
