// The fast matmul, register-blocked: the same three products as matmul.wgsl, each invocation
// computing a tile of (4·BM) × (4·BN) outputs (up to 8×16) held in 4×4 register blocks
// (mat4x4f), read with vec4 loads straight from memory, and finished by the fused epilogue of
// shaders/matmul_epilogue.wgsl (compiled before this file), so no extra pass over memory is needed.
// Fastest where memory is as close as the registers (a CPU rasterizer such as SwiftShader); on a
// GPU the workgroup-tiled or split-K variants may win: each adapter measures them (src/kernels/matmulFast/).
//
// Why mat4x4f: with a block whose columns are 4 rows of the right operand, B = (b_k, b_k+1, b_k+2, b_k+3),
// and one whose columns are 4 rows of the left, A = (a_i, ..., a_i+3) holding k..k+3, the product
// B * A has as column r the vector Σₛ a_{i+r}[s] · b_{k+s}: row i+r of the output block. So
// `acc += B * A` is 64 multiply-adds from 8 vec4 loads.
// requires: activation, matmul_epilogue.wgsl

override WX: u32 = 1;        // invocations per workgroup along output columns
override WY: u32 = 8;        // ... along output rows
override BM: u32 = 2;        // 4-row blocks per invocation (1 or 2; up to 4 in matmul_quad.wgsl)
override BN: u32 = 4;        // 4-column blocks per invocation (1, 2 or 4; up to 8 in matmul_quad.wgsl)

// 4 rows of a (from row r, clamped at the last), vec4 number v of each row; rows are w vec4s long.
fn a_rows(r: u32, v: u32, w: u32, rows: u32) -> mat4x4f {
  let last = rows - 1u;
  return mat4x4f(a[min(r, last) * w + v], a[min(r + 1u, last) * w + v], a[min(r + 2u, last) * w + v], a[min(r + 3u, last) * w + v]);
}

fn b_rows(r: u32, v: u32, w: u32, rows: u32) -> mat4x4f {
  let last = rows - 1u;
  return mat4x4f(b[min(r, last) * w + v], b[min(r + 1u, last) * w + v], b[min(r + 2u, last) * w + v], b[min(r + 3u, last) * w + v]);
}

// Rows k..k+3 of a or b, with rows past K (the batch's end) read as zeros.
fn a_rows_k(k: u32, v: u32, w: u32) -> mat4x4f {
  let m = a_rows(k, v, w, p.K);
  return mat4x4f(
    select(vec4f(), m[0], k < p.K), select(vec4f(), m[1], k + 1u < p.K),
    select(vec4f(), m[2], k + 2u < p.K), select(vec4f(), m[3], k + 3u < p.K));
}

fn b_rows_k(k: u32, v: u32, w: u32) -> mat4x4f {
  let m = b_rows(k, v, w, p.K);
  return mat4x4f(
    select(vec4f(), m[0], k < p.K), select(vec4f(), m[1], k + 1u < p.K),
    select(vec4f(), m[2], k + 2u < p.K), select(vec4f(), m[3], k + 3u < p.K));
}

// This invocation's tile: up to 2 × 4 blocks of 4×4 outputs, kept in registers. c<r><q> holds
// rows i+4r..i+4r+3 and column vec4 jv+q.
var<private> c00: mat4x4f;
var<private> c01: mat4x4f;
var<private> c02: mat4x4f;
var<private> c03: mat4x4f;
var<private> c10: mat4x4f;
var<private> c11: mat4x4f;
var<private> c12: mat4x4f;
var<private> c13: mat4x4f;

// Adds one step of the sum to every block of the tile: a0, a1 hold rows i..i+3 and i+4..i+7 of
// the left operand, b0..b3 column vec4s jv..jv+3 of the right, all over the same 4 k's. Blocks the
// tile does not have (BM, BN) are dropped when the pipeline is made, and so are their loads.
// (Written out, not as a loop over blocks: SwiftShader keeps unrolled code in registers, and runs
// a loop over an array of blocks four times slower.)
fn accumulate(a0: mat4x4f, a1: mat4x4f, b0: mat4x4f, b1: mat4x4f, b2: mat4x4f, b3: mat4x4f) {
  c00 += b0 * a0;
  if (BN >= 2u) { c01 += b1 * a0; }
  if (BN == 4u) { c02 += b2 * a0; c03 += b3 * a0; }
  if (BM == 2u) {
    c10 += b0 * a1;
    if (BN >= 2u) { c11 += b1 * a1; }
    if (BN == 4u) { c12 += b2 * a1; c13 += b3 * a1; }
  }
}

fn finish_tile(i: u32, jv: u32) {
  finish(i, jv, c00);
  if (BN >= 2u) { finish(i, jv + 1u, c01); }
  if (BN == 4u) { finish(i, jv + 2u, c02); finish(i, jv + 3u, c03); }
  if (BM == 2u) {
    finish(i + 4u, jv, c10);
    if (BN >= 2u) { finish(i + 4u, jv + 1u, c11); }
    if (BN == 4u) { finish(i + 4u, jv + 2u, c12); finish(i + 4u, jv + 3u, c13); }
  }
}

// The tile's row: past 65,535 workgroups down, the grid goes on in layers (z), each groups.y * WY further.
fn row_tile(id: vec3u, groups: vec3u) -> u32 {
  return id.y + id.z * groups.y * WY;
}

// c = a · b: a is (M, K), b is (K, N).
@compute @workgroup_size(WX, WY)
fn forward(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = row_tile(id, groups) * 4u * BM;
  let jv = id.x * BN;
  let kv = p.K / 4u;
  let nv = p.N / 4u;
  if (i >= p.M || jv >= nv) {
    return;
  }
  for (var k = 0u; k < kv; k++) {
    let last = nv - 1u;
    accumulate(
      a_rows(i, k, kv, p.M),
      a_rows(i + 4u, k, kv, p.M),
      b_rows(4u * k, jv, nv, p.K),
      b_rows(4u * k, min(jv + 1u, last), nv, p.K),
      b_rows(4u * k, min(jv + 2u, last), nv, p.K),
      b_rows(4u * k, min(jv + 3u, last), nv, p.K));
  }
  finish_tile(i, jv);
}

// c = a · bᵀ: a is (M, K), b is (N, K), so both are read along K.
@compute @workgroup_size(WX, WY)
fn backward(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = row_tile(id, groups) * 4u * BM;
  let jv = id.x * BN;
  let kv = p.K / 4u;
  let nv = p.N / 4u;
  if (i >= p.M || jv >= nv) {
    return;
  }
  for (var k = 0u; k < kv; k++) {
    // Rows j..j+3 of b are columns j..j+3 of bᵀ: transposed, the block has the rows of bᵀ as columns.
    accumulate(
      a_rows(i, k, kv, p.M),
      a_rows(i + 4u, k, kv, p.M),
      transpose(b_rows(4u * jv, k, kv, p.N)),
      transpose(b_rows(4u * jv + 4u, k, kv, p.N)),
      transpose(b_rows(4u * jv + 8u, k, kv, p.N)),
      transpose(b_rows(4u * jv + 12u, k, kv, p.N)));
  }
  finish_tile(i, jv);
}

// c = aᵀ · b: a is (K, M), b is (K, N), both read along their rows, 4 rows (k) at a time.
@compute @workgroup_size(WX, WY)
fn gradient(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = row_tile(id, groups) * 4u * BM;
  let jv = id.x * BN;
  let mv = p.M / 4u;
  let nv = p.N / 4u;
  if (i >= p.M || jv >= nv) {
    return;
  }
  // The invocations of the first rows also sum b's columns for the bias: Σ_rows layer_{l+1}_delta.
  let sums_bias = HAS_BIAS && i == 0u;
  var bias_sum = mat4x4f();
  for (var k = 0u; k < p.K; k += 4u) {
    // Columns of a_rows_k are rows k..k+3 of a over i..i+3: transposed, the columns run over k.
    let last = nv - 1u;
    let b0 = b_rows_k(k, jv, nv);
    let b1 = b_rows_k(k, min(jv + 1u, last), nv);
    let b2 = b_rows_k(k, min(jv + 2u, last), nv);
    let b3 = b_rows_k(k, min(jv + 3u, last), nv);
    accumulate(
      transpose(a_rows_k(k, i / 4u, mv)),
      transpose(a_rows_k(k, min(i / 4u + 1u, mv - 1u), mv)),
      b0, b1, b2, b3);
    if (sums_bias) {
      bias_sum += column_sums(b0, b1, b2, b3);
    }
  }
  finish_tile(i, jv);
  if (sums_bias) {
    update_bias(jv, bias_sum);
  }
}

// Column q holds the sums of the 4 rows of block q: this step's share of Σ_rows layer_{l+1}_delta.
fn column_sums(b0: mat4x4f, b1: mat4x4f, b2: mat4x4f, b3: mat4x4f) -> mat4x4f {
  return mat4x4f(b0[0] + b0[1] + b0[2] + b0[3], b1[0] + b1[1] + b1[2] + b1[3], b2[0] + b2[1] + b2[2] + b2[3], b3[0] + b3[1] + b3[2] + b3[3]);
}

// bias -= scale · Σ_rows layer_{l+1}_delta, for up to 4 of the tile's column vec4s from jv, those that c has.
fn update_bias(jv: u32, sums: mat4x4f) {
  for (var q = 0u; q < min(BN, 4u); q++) {
    finish_bias(jv + q, sums[q]);
  }
}
