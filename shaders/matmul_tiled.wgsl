// The fast matmul, workgroup-tiled: the same three products and the same fused epilogue as
// matmul_fast.wgsl (shaders/matmul_epilogue.wgsl is compiled before this file), written the way
// GPUs like it. A workgroup of T × T invocations computes a (4T) × (4T) block of c; each
// invocation holds a 4×4 block of it in registers (one mat4x4f, rows i..i+3, column vec4 jv).
// The sum runs in slices of KT terms: the workgroup first copies the slice of a's rows and b's
// columns it needs into workgroup memory (each value read from memory once, then used by T
// invocations), waits at a barrier, and multiplies from there.
//   forward   c = a · b      a (M, K),  b (K, N)
//   backward  c = a · bᵀ     a (M, K),  b (N, K)
//   gradient  c = aᵀ · b     a (K, M),  b (K, N)
// requires: activation, matmul_epilogue.wgsl

override T: u32 = 8;        // invocations per side of the workgroup (8 or 16)
const KT: u32 = 16;         // terms of the sum per slice
const MAX_SIDE: u32 = 64;   // 4 · T for the largest T

// The slice being multiplied: slice_a[k][i] = a's element (row0 + i, k0 + k) of the product's
// left operand, slice_b[k][j] = the right operand's (k0 + k, col0 + j).
var<workgroup> slice_a: array<array<f32, MAX_SIDE>, KT>;
var<workgroup> slice_b: array<array<f32, MAX_SIDE>, KT>;

// One element of a stored (rows, w vec4s per row) matrix, 0 past its rows.
fn element(m: u32, r: u32, col: u32, rows: u32, w: u32) -> f32 {
  if (r >= rows || col >= 4u * w) {
    return 0.0;
  }
  if (m == 0u) {
    return a[r * w + col / 4u][col % 4u];
  }
  return b[r * w + col / 4u][col % 4u];
}

// The left operand of the product at (i, k): a[i][k], or a[k][i] in the gradient.
fn left(i: u32, k: u32) -> f32 {
  if (FORM == FORM_GRADIENT) {
    return element(0u, k, i, p.K, p.M / 4u);
  }
  if (i >= p.M) {
    return 0.0;
  }
  return element(0u, i, k, p.M, p.K / 4u);
}

// The right operand at (k, j): b[k][j], or b[j][k] in the backward product.
fn right(k: u32, j: u32) -> f32 {
  if (FORM == FORM_BACKWARD) {
    return element(1u, j, k, p.N, p.K / 4u);
  }
  return element(1u, k, j, p.K, p.N / 4u);
}

@compute @workgroup_size(T, T)
fn main(
  @builtin(workgroup_id) group: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_id) local: vec3u,
  @builtin(local_invocation_index) index: u32,
) {
  let side = 4u * T;
  // Past 65,535 workgroups down, the grid goes on in layers (z).
  let row0 = (group.y + group.z * groups.y) * side;
  let col0 = group.x * side;
  let i = row0 + 4u * local.y;   // this invocation's 4 rows
  let jv = col0 / 4u + local.x;  // and its column vec4
  // In the gradient with a bias, the invocations of the first rows also sum b's columns: Σ_rows layer_{l+1}_delta.
  let sums_bias = HAS_BIAS && FORM == FORM_GRADIENT && i == 0u;
  var bias_sum = vec4f();
  var acc = mat4x4f();
  for (var k0 = 0u; k0 < p.K; k0 += KT) {
    // Copy the slice: KT × 4T values of each operand, shared out over the T² invocations.
    for (var e = index; e < KT * side; e += T * T) {
      let k = e / side;
      let x = e % side;
      slice_a[k][x] = left(row0 + x, k0 + k);
      slice_b[k][x] = right(k0 + k, col0 + x);
    }
    workgroupBarrier();
    for (var k = 0u; k < KT; k++) {
      let av = vec4f(slice_a[k][4u * local.y], slice_a[k][4u * local.y + 1u], slice_a[k][4u * local.y + 2u], slice_a[k][4u * local.y + 3u]);
      let bv = vec4f(slice_b[k][4u * local.x], slice_b[k][4u * local.x + 1u], slice_b[k][4u * local.x + 2u], slice_b[k][4u * local.x + 3u]);
      // Row r of the block gains a[i + r][k] times b's row k over the 4 columns.
      acc += mat4x4f(bv * av.x, bv * av.y, bv * av.z, bv * av.w);
      if (sums_bias) {
        bias_sum += bv;
      }
    }
    workgroupBarrier();
  }
  finish(i, jv, acc);
  if (sums_bias) {
    finish_bias(jv, bias_sum);
  }
}
