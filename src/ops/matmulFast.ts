// matmulFast: the fast plan's fused product on padded buffers, each form finishing in an epilogue
// (shaders/<activation>.wgsl, shaders/matmul_epilogue.wgsl, then the variant this adapter ran
// fastest, src/kernels/matmulFast/variants.ts). `source` is the register-blocked variant's files,
// as a plan is described before anything is built; the dispatch built holds the kernel that runs
// (Dispatch.kernel.shader, .constants, .variant): the page's dispatch view shows the compiled
// kernel, and its step timings name the variant.
//   forward   layer_{l+1} = activation(layer_l · weights_l_{l+1} + bias)       (no activation at the output)
//   backward  layer_l_delta = layer_{l+1}_delta · weights_l_{l+1}ᵀ * activation2deriv(layer_l)
//   gradient  weights_l_{l+1} -= alpha / rows · layer_lᵀ · layer_{l+1}_delta   (bias -= alpha / rows · Σ delta)
// CPU: the same arithmetic with cpu/ops.ts on the logical buffers.

import * as cpu from '../cpu/ops.js';
import { composeShaders } from '../gpu/shader.js';
import { matmulEpilogueShader, matmulFastShader, type Epilogue, type FastForm } from '../kernels/matmulFast/variants.js';
import { matmulFastFor } from '../kernels/matmulFast/tuner.js';
import type { Activation } from './activations/activation.js';
import type { BufferSpec, Step } from './op.js';

export interface MatmulFastStepArgs {
  form: FastForm;
  activation: Activation;
  /** forward: apply the activation (a hidden layer) or not (the output). */
  activate?: boolean;
  a: BufferSpec;
  b: BufferSpec;
  c: BufferSpec;
  /** backward: the layer whose activation2deriv masks the product. */
  mask?: BufferSpec;
  /** forward: the bias added to each row; gradient: the bias updated from the column sums of b. */
  bias?: BufferSpec;
  /** The batch's rows. */
  rows: number;
  alpha: number;
}

export function matmulFastStep(args: MatmulFastStepArgs): Step {
  const { form, activation, a, b, c, mask, bias, rows, alpha } = args;
  const gradient = form === 'gradient';
  // Logical sizes (c is (M, N), sums of length K), and the same as the padded buffers hold them.
  const M = gradient ? c.rows : rows;
  const K = gradient ? rows : a.cols;
  const N = c.cols;
  const padded = { M: gradient ? c.height : rows, K: gradient ? rows : a.stride, N: c.stride };
  const epilogue: Epilogue = gradient ? 'update' : form === 'backward' ? 'activate2deriv' : args.activate ? 'activate' : 'store';
  const plus = bias ? ` + ${bias.name}` : '';
  const scaleText = rows === 1 ? 'alpha' : `alpha / ${rows}`;
  const numpy =
    form === 'forward'
      ? args.activate
        ? `${c.name} = ${activation.name}(np.dot(${a.name}, ${b.name})${plus})`
        : `${c.name} = np.dot(${a.name}, ${b.name})${plus}`
      : form === 'backward'
        ? `${c.name} = ${a.name}.dot(${b.name}.T) * ${activation.name}2deriv(${mask!.name})`
        : `${c.name} -= ${scaleText} * ${a.name}.T.dot(${b.name})` + (bias ? `; ${bias.name} -= ${scaleText} * ${b.name}.sum(0)` : '');
  const explain =
    form === 'forward'
      ? `Each unit of ${c.name} sums its inputs, each times its weight${bias ? ', plus its bias' : ''}${args.activate ? `, then ${activation.name} is applied as the sum is written` : ': the prediction'}.`
      : form === 'backward'
        ? `Backpropagation: ${a.name} goes back through ${b.name} (transposed), and ${activation.name}2deriv lets only the share of units that fired through, in one pass.`
        : `The pressure on each weight (its input times the delta it feeds) is summed over the batch and the weights are moved against it in the same pass.`;
  // Scratch for the float64 product and bias gradient, made on first use: nothing is allocated per step.
  let product: Float64Array | undefined;
  let biasDelta: Float64Array | undefined;
  return {
    op: 'matmulFast',
    numpy,
    explain,
    source: composeShaders(activation.shader, matmulEpilogueShader, matmulFastShader),
    reads: [a.name, b.name, ...(mask ? [mask.name] : []), ...(bias ? [bias.name] : []), ...(gradient ? [c.name] : [])],
    writes: [c.name, ...(bias && gradient ? [bias.name] : [])],
    role: form === 'forward' ? 'forward' : form === 'backward' ? 'backward' : 'update',
    ...(gradient ? { scaleRows: rows } : {}),
    gpu: ({ ctx, buffer }) =>
      matmulFastFor(ctx, {
        label: numpy,
        form,
        epilogue,
        activation,
        a: buffer(a.name),
        b: buffer(b.name),
        c: buffer(c.name),
        ...(mask ? { mask: buffer(mask.name) } : {}),
        ...(bias ? { bias: buffer(bias.name) } : {}),
        unusedMask: buffer('unused'),
        unusedBias: buffer('unusedBias'),
        ...padded,
        scale: Math.fround(alpha / rows),
        columns: N,
      }),
    cpu: ({ buffer }, epochAlpha) => {
      product ??= new Float64Array(M * N);
      cpu.matmul(buffer(a.name), buffer(b.name), product, M, K, N, gradient, form === 'backward');
      const out = buffer(c.name);
      if (gradient) {
        const scale = epochAlpha / rows;
        cpu.update(product, out, scale, M * N);
        if (bias) {
          biasDelta ??= new Float64Array(N);
          cpu.biasGradient(buffer(b.name), K, N, biasDelta);
          cpu.update(biasDelta, buffer(bias.name), scale, N);
        }
        return;
      }
      if (bias) cpu.addBias(product, buffer(bias.name), M, N);
      if (epilogue === 'activate') for (let i = 0; i < product.length; i++) product[i] = activation.forward(product[i]!);
      if (epilogue === 'activate2deriv') {
        const output = buffer(mask!.name);
        for (let i = 0; i < product.length; i++) product[i] = product[i]! * activation.derivative(output[i]!);
      }
      out.set(product);
    },
  };
}
