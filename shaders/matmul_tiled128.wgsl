// The fast matmul in the big tiles GPUs like: the same three products and the same fused epilogue
// as matmul_fast.wgsl (shaders/matmul_epilogue.wgsl is compiled before this file), but a workgroup
// of TX × 16 invocations computes a 128 × 128 block of c, in one of two layouts:
//   TX = 16, 256 invocations of 8×8 outputs each: four 4×4 blocks, at rows 4y and 64 + 4y of the
//            block and column vec4s x and 16 + x;
//   TX = 8,  128 invocations of 8×16 outputs each: eight 4×4 blocks, at rows 4y and 64 + 4y and
//            column vec4s x, 8 + x, 16 + x and 24 + x (the layout CLBlast's tuner chose for
//            single-precision products at 4096³ on a GeForce RTX 2070: fewer invocations, more
//            outputs each; not yet measured on a real GPU here).
// So every value an invocation reads from workgroup memory is used 8 or 16 times (4 in
// matmul_tiled.wgsl), and the invocations that read the same vec4 read it at once.
// The sum runs in slices of KT terms (8, or 16). For each slice the invocations copy the slice's
// 128 rows of the left operand and 128 columns of the right into workgroup memory (LOADS vec4s of
// each per invocation), wait at a barrier, multiply from there, and wait again before the next
// copy. Each invocation reads its vec4s of the next slice from memory before multiplying the
// current one, so the reads are under way while it computes (on an H200, 4096³ ran 2-7% faster so).
// requires: activation, matmul_epilogue.wgsl

override TX: u32 = 16;      // invocations across: 16, or 8 for 16 columns each
override KT: u32 = 8;       // terms of the sum per slice: 8 or 16
const SIDE: u32 = 128;      // rows and columns of c per workgroup
const ROW_VECS: u32 = 32;   // SIDE / 4: the vec4s of one term of the slice
override COLS: u32 = 32u / TX;   // column vec4s per invocation: 2 or 4
override INVOCATIONS: u32 = TX * 16u;
override LOADS: u32 = KT * ROW_VECS / INVOCATIONS;  // vec4s of each operand an invocation copies per slice: 1 to 4

// slice_a[k * 32 + v] = the left operand at term k0 + k, rows row0 + 4v .. row0 + 4v + 3;
// slice_b[k * 32 + v] = the right operand at term k0 + k, columns col0 + 4v .. col0 + 4v + 3.
var<workgroup> slice_a: array<vec4f, KT * ROW_VECS>;
var<workgroup> slice_b: array<vec4f, KT * ROW_VECS>;

// 4 terms k..k+3 of row r of a matrix stored (rows, w vec4s per row), 0 past its rows or terms.
fn row_terms(m: u32, r: u32, rows: u32, k: u32, w: u32) -> vec4f {
  if (r >= rows || k >= 4u * w) {
    return vec4f();
  }
  if (m == 0u) {
    return a[r * w + k / 4u];
  }
  return b[r * w + k / 4u];
}

// Row k of a matrix stored (terms, w vec4s per row) at vec4 v, 0 past its rows or columns.
fn term_row(m: u32, k: u32, terms: u32, v: u32, w: u32) -> vec4f {
  if (k >= terms || v >= w) {
    return vec4f();
  }
  if (m == 0u) {
    return a[k * w + v];
  }
  return b[k * w + v];
}

// Slice k0's vec4 t of the left operand: a row's 4 terms where the operand is stored by rows of
// terms (forward, backward), else 4 rows of one term (the gradient's aᵀ).
fn load_a(t: u32, row0: u32, k0: u32) -> vec4f {
  if (FORM == FORM_GRADIENT) {
    return term_row(0u, k0 + t / ROW_VECS, p.K, row0 / 4u + t % ROW_VECS, p.M / 4u);
  }
  return row_terms(0u, row0 + t / (KT / 4u), p.M, k0 + 4u * (t % (KT / 4u)), p.K / 4u);
}

// And of the right operand: a column's 4 terms (a row of b in the backward product), else 4
// columns of one term.
fn load_b(t: u32, col0: u32, k0: u32) -> vec4f {
  if (FORM == FORM_BACKWARD) {
    return row_terms(1u, col0 + t / (KT / 4u), p.N, k0 + 4u * (t % (KT / 4u)), p.K / 4u);
  }
  return term_row(1u, k0 + t / ROW_VECS, p.K, col0 / 4u + t % ROW_VECS, p.N / 4u);
}

// Puts what load_a(t, ...) read where the multiply reads it: 4 terms of row r go one float per
// term (transposed), 4 rows of one term as they are.
fn store_a(t: u32, v: vec4f) {
  if (FORM == FORM_GRADIENT) {
    slice_a[t] = v;
    return;
  }
  let r = t / (KT / 4u);          // row r of the block
  let h = 4u * (t % (KT / 4u));   // its terms h..h+3 of the slice
  for (var q = 0u; q < 4u; q++) {
    slice_a[(h + q) * ROW_VECS + r / 4u][r % 4u] = v[q];
  }
}

fn store_b(t: u32, v: vec4f) {
  if (FORM != FORM_BACKWARD) {
    slice_b[t] = v;
    return;
  }
  let r = t / (KT / 4u);          // column r of the block: row col0 + r of b
  let h = 4u * (t % (KT / 4u));
  for (var q = 0u; q < 4u; q++) {
    slice_b[(h + q) * ROW_VECS + r / 4u][r % 4u] = v[q];
  }
}

// Rows 0..3 of the 4×4 block, each the 4 columns: row r gains left[r] times the right operand's 4.
fn madd(acc: mat4x4f, left: vec4f, right: vec4f) -> mat4x4f {
  return mat4x4f(fma(right, vec4f(left.x), acc[0]), fma(right, vec4f(left.y), acc[1]), fma(right, vec4f(left.z), acc[2]), fma(right, vec4f(left.w), acc[3]));
}

// This invocation's copies of the next slice: vec4s index, index + INVOCATIONS, ... of each operand.
var<private> next_a: array<vec4f, 4>;
var<private> next_b: array<vec4f, 4>;

fn load_next(index: u32, row0: u32, col0: u32, k0: u32) {
  for (var e = 0u; e < LOADS; e++) {
    next_a[e] = load_a(index + e * INVOCATIONS, row0, k0);
    next_b[e] = load_b(index + e * INVOCATIONS, col0, k0);
  }
}

fn store_next(index: u32) {
  for (var e = 0u; e < LOADS; e++) {
    store_a(index + e * INVOCATIONS, next_a[e]);
    store_b(index + e * INVOCATIONS, next_b[e]);
  }
}

@compute @workgroup_size(TX, 16)
fn main(
  @builtin(workgroup_id) group: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_id) local: vec3u,
  @builtin(local_invocation_index) index: u32,
) {
  // Past 65,535 workgroups down, the grid goes on in layers (z).
  let row0 = (group.y + group.z * groups.y) * SIDE;
  let col0 = group.x * SIDE;
  // In the gradient with a bias, the invocations of the first rows also sum b's columns: Σ_rows layer_{l+1}_delta.
  let sums_bias = HAS_BIAS && FORM == FORM_GRADIENT && row0 == 0u && local.y == 0u;
  var bias0 = vec4f();
  var bias1 = vec4f();
  var bias2 = vec4f();
  var bias3 = vec4f();
  // acc<r><q>: rows 64r + 4y.., columns vec4 TX·q + x. With TX = 16 only q = 0, 1.
  var acc00 = mat4x4f();
  var acc01 = mat4x4f();
  var acc02 = mat4x4f();
  var acc03 = mat4x4f();
  var acc10 = mat4x4f();
  var acc11 = mat4x4f();
  var acc12 = mat4x4f();
  var acc13 = mat4x4f();
  load_next(index, row0, col0, 0u);
  for (var k0 = 0u; k0 < p.K; k0 += KT) {
    store_next(index);
    workgroupBarrier();
    if (k0 + KT < p.K) {
      load_next(index, row0, col0, k0 + KT);
    }
    for (var k = 0u; k < KT; k++) {
      let a0 = slice_a[k * ROW_VECS + local.y];
      let a1 = slice_a[k * ROW_VECS + 16u + local.y];
      let b0 = slice_b[k * ROW_VECS + local.x];
      let b1 = slice_b[k * ROW_VECS + TX + local.x];
      acc00 = madd(acc00, a0, b0);
      acc01 = madd(acc01, a0, b1);
      acc10 = madd(acc10, a1, b0);
      acc11 = madd(acc11, a1, b1);
      if (sums_bias) {
        bias0 += b0;
        bias1 += b1;
      }
      if (COLS == 4u) {
        let b2 = slice_b[k * ROW_VECS + 2u * TX + local.x];
        let b3 = slice_b[k * ROW_VECS + 3u * TX + local.x];
        acc02 = madd(acc02, a0, b2);
        acc03 = madd(acc03, a0, b3);
        acc12 = madd(acc12, a1, b2);
        acc13 = madd(acc13, a1, b3);
        if (sums_bias) {
          bias2 += b2;
          bias3 += b3;
        }
      }
    }
    workgroupBarrier();
  }
  let i0 = row0 + 4u * local.y;
  let j0 = col0 / 4u + local.x;
  finish(i0, j0, acc00);
  finish(i0, j0 + TX, acc01);
  finish(i0 + 64u, j0, acc10);
  finish(i0 + 64u, j0 + TX, acc11);
  if (COLS == 4u) {
    finish(i0, j0 + 2u * TX, acc02);
    finish(i0, j0 + 3u * TX, acc03);
    finish(i0 + 64u, j0 + 2u * TX, acc12);
    finish(i0 + 64u, j0 + 3u * TX, acc13);
  }
  if (sums_bias) {
    finish_bias(j0, bias0);
    finish_bias(j0 + TX, bias1);
    if (COLS == 4u) {
      finish_bias(j0 + 2u * TX, bias2);
      finish_bias(j0 + 3u * TX, bias3);
    }
  }
}
