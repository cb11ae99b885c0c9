// What every fast matmul shares (matmul_fast.wgsl, matmul_quad.wgsl, matmul_tiled.wgsl,
// matmul_tiled128.wgsl and matmul_splitk.wgsl, each compiled after this file): the operands, the
// parameters, and the fused epilogue that finishes each 4×4 block of the output:
//   forward   layer_1 = relu(layer_0 · weights_0_1)                      EPILOGUE_ACTIVATE (EPILOGUE_STORE at the output)
//   backward  layer_1_delta = (layer_2_delta · weights_1_2ᵀ) * relu2deriv(layer_1)   EPILOGUE_DERIV
//   gradient  weights_0_1 -= alpha / rows · layer_0ᵀ · layer_1_delta     EPILOGUE_UPDATE
// Every matrix is row-major with its row length padded to a multiple of 4 (zeros in the padding,
// which stay zero through training), so each row is a whole number of vec4s.
// requires: activation (relu.wgsl, sigmoid.wgsl or tanh.wgsl: activation() and activation2deriv())

// The three products (FORM, for the kernels that take it as a constant; matmul_fast.wgsl and
// matmul_quad.wgsl have an entry point per form instead).
const FORM_FORWARD: u32 = 0u;    // c = a · b      a (M, K),  b (K, N)
const FORM_BACKWARD: u32 = 1u;   // c = a · bᵀ     a (M, K),  b (N, K)
const FORM_GRADIENT: u32 = 2u;   // c = aᵀ · b     a (K, M),  b (K, N)
override FORM: u32 = FORM_FORWARD;

// How each block of c is finished.
const EPILOGUE_STORE: u32 = 0u;      // c = acc
const EPILOGUE_ACTIVATE: u32 = 1u;   // c = activation(acc + bias)
const EPILOGUE_DERIV: u32 = 2u;      // c = acc * activation2deriv(mask)
const EPILOGUE_UPDATE: u32 = 3u;     // c -= scale · acc
override EPILOGUE: u32 = EPILOGUE_STORE;
override HAS_BIAS: bool = false;  // forward: add bias to each row; gradient: bias -= scale · Σ_rows b

// c is (M, N); K is the length of the sums. M, N and K are multiples of 4 except K in `gradient`
// (the batch's rows) and M in `forward` and `backward` (the batch's rows).
struct Params {
  M: u32,
  K: u32,
  N: u32,
  scale: f32,
  N_logical: u32,   // c's columns before padding: the activation of a padded column is kept 0
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4f>;
@group(0) @binding(4) var<storage, read> mask: array<vec4f>;   // layer_l for activation2deriv; else unused
@group(0) @binding(5) var<storage, read_write> bias: array<vec4f>;   // (N) with HAS_BIAS; else unused

// The activation and its slope on 4 units at once.
fn activation4(v: vec4f) -> vec4f {
  return vec4f(activation(v.x), activation(v.y), activation(v.z), activation(v.w));
}

// 1 for the columns of block jv that are c's own, 0 for its padding: an activation need not map 0
// to 0 (sigmoid(0) is 0.5), and padding must stay 0 or the next matmul would read it.
fn in_columns(jv: u32) -> vec4f {
  let column = vec4u(4u * jv) + vec4u(0u, 1u, 2u, 3u);
  return select(vec4f(), vec4f(1.0), column < vec4u(p.N_logical));
}

fn activation2deriv4(output: vec4f) -> vec4f {
  return vec4f(activation2deriv(output.x), activation2deriv(output.y), activation2deriv(output.z), activation2deriv(output.w));
}

// The gradient's bias step for column vec4 jv, where c has it: bias -= scale · Σ_rows layer_{l+1}_delta,
// the sum over the batch's rows of b's columns jv (summed by the kernel).
fn finish_bias(jv: u32, sum: vec4f) {
  if (jv < p.N / 4u) {
    bias[jv] = bias[jv] - p.scale * sum;
  }
}

// Writes block (rows i..i+3, column vec4 jv) of the output, finishing it as EPILOGUE says.
fn finish(i: u32, jv: u32, acc: mat4x4f) {
  let nv = p.N / 4u;
  if (jv >= nv) {
    return;
  }
  for (var r = 0u; r < 4u; r++) {
    if (i + r < p.M) {
      let at = (i + r) * nv + jv;
      var v = acc[r];
      if (HAS_BIAS && EPILOGUE != EPILOGUE_UPDATE) {
        v += bias[jv];
      }
      switch EPILOGUE {
        case EPILOGUE_ACTIVATE: { c[at] = activation4(v) * in_columns(jv); }
        case EPILOGUE_DERIV: { c[at] = v * activation2deriv4(mask[at]); }
        case EPILOGUE_UPDATE: { c[at] = c[at] - p.scale * v; }
        default: { c[at] = v; }
      }
    }
  }
}

