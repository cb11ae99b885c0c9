// What every fast matmul shares (the register-blocked shaders/matmul_fast.wgsl and the
// workgroup-tiled shaders/matmul_tiled.wgsl, each compiled after this file): the operands, the
// parameters, and the fused epilogue that finishes each 4×4 block of the output:
//   forward   layer_1 = relu(layer_0 · weights_0_1)                       EPILOGUE 1 (or 0 at the output)
//   backward  layer_1_delta = (layer_2_delta · weights_1_2ᵀ) * relu2deriv(layer_1)    EPILOGUE 2
//   gradient  weights_0_1 -= alpha / rows · layer_0ᵀ · layer_1_delta      EPILOGUE 3
// Every matrix is row-major with its row length padded to a multiple of 4 (zeros in the padding,
// which stay zero through training), so each row is a whole number of vec4s.
// Compiled after the hidden layers' activation (shaders/relu.wgsl, sigmoid.wgsl or tanh.wgsl),
// which defines activation() and activation2deriv(); relu is the seed's.

override EPILOGUE: u32 = 0;  // 0 store, 1 activation, 2 times activation2deriv(mask), 3 c -= scale · acc
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
      if (HAS_BIAS && EPILOGUE != 3u) {
        v += bias[jv];
      }
      switch EPILOGUE {
        case 1u: { c[at] = activation4(v) * in_columns(jv); }
        case 2u: { c[at] = v * activation2deriv4(mask[at]); }
        case 3u: { c[at] = c[at] - p.scale * v; }
        default: { c[at] = v; }
      }
    }
  }
}

