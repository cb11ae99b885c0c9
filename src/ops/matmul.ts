// matmul: c = a · b, one output per invocation, in the three forms backprop needs (the teaching
// plan's forward, backprop and gradient products). shaders/matmul.wgsl; CPU: cpu/ops.ts matmul.

import * as cpu from '../cpu/ops.js';
import { matmul, matmulShader } from '../kernels/matmul.js';
import type { BufferSpec, Step, StepRole } from './op.js';

export interface MatmulStepArgs {
  numpy: string;
  /** What this product is in backprop, in the lesson's words. */
  explain: string;
  role: StepRole;
  /** (M, K), or (K, M) when transposeA. */
  a: BufferSpec;
  /** (K, N), or (N, K) when transposeB. */
  b: BufferSpec;
  /** (M, N), written. */
  c: BufferSpec;
  M: number;
  K: number;
  N: number;
  transposeA?: boolean;
  transposeB?: boolean;
}

export function matmulStep(args: MatmulStepArgs): Step {
  const { a, b, c, M, K, N, numpy } = args;
  const transposeA = args.transposeA ?? false;
  const transposeB = args.transposeB ?? false;
  return {
    op: 'matmul',
    numpy,
    explain: args.explain,
    source: matmulShader,
    reads: [a.name, b.name],
    writes: [c.name],
    role: args.role,
    gpu: ({ ctx, buffer }) => matmul(ctx, { label: numpy, a: buffer(a.name), b: buffer(b.name), c: buffer(c.name), M, K, N, transposeA, transposeB }),
    cpu: ({ buffer }) => cpu.matmul(buffer(a.name), buffer(b.name), buffer(c.name), M, K, N, transposeA, transposeB),
  };
}
