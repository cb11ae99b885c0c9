// The fast matmul for outputs too small to keep a GPU busy: the same three products and the same
// fused epilogue as matmul_fast.wgsl (shaders/matmul_epilogue.wgsl is compiled before this file),
// but each 4×4 block of c is summed by S invocations at once, each over its own run of the terms
// (the sum split along K), straight from memory. A workgroup of 16 · S invocations computes a
// 16×16 block of c: invocation `index` holds 4×4 block `pos` = index % 16 (rows 4·(pos / 4),
// column vec4 pos % 4 of the block) over run g = index / 16 of the terms. The S partial blocks
// meet in workgroup memory, and the invocations of run 0 add them up and finish the block.
// MNIST's forward product (100×784·784×128) is only 13×32 such blocks: as 4×4 blocks of one
// invocation each, 800 invocations on a GPU that runs tens of thousands; split 16 ways, 12,800.
//   forward   c = a · b      a (M, K),  b (K, N)
//   backward  c = a · bᵀ     a (M, K),  b (N, K)
//   gradient  c = aᵀ · b     a (K, M),  b (K, N)
// requires: activation, matmul_epilogue.wgsl

override S: u32 = 16;       // invocations per 4×4 block, each summing 1/S of the terms

// partial[g * 16 + pos]: run g's sum for block pos.
var<workgroup> partial: array<mat4x4f, 16u * S>;

// Row r of the 4×4 block gains left[r] · right (the right operand's 4 columns at one term).
fn madd(acc: mat4x4f, left: vec4f, right: vec4f) -> mat4x4f {
  return mat4x4f(fma(right, vec4f(left.x), acc[0]), fma(right, vec4f(left.y), acc[1]), fma(right, vec4f(left.z), acc[2]), fma(right, vec4f(left.w), acc[3]));
}

// The 4 rows' 4 terms (x0..x3, one vec4 of terms per row) times the 4 terms' rows of the right
// operand (y0..y3, one vec4 of columns per term): 64 multiply-adds.
fn madd4(acc: mat4x4f, x0: vec4f, x1: vec4f, x2: vec4f, x3: vec4f, y0: vec4f, y1: vec4f, y2: vec4f, y3: vec4f) -> mat4x4f {
  var m = acc;
  m = madd(m, vec4f(x0.x, x1.x, x2.x, x3.x), y0);
  m = madd(m, vec4f(x0.y, x1.y, x2.y, x3.y), y1);
  m = madd(m, vec4f(x0.z, x1.z, x2.z, x3.z), y2);
  m = madd(m, vec4f(x0.w, x1.w, x2.w, x3.w), y3);
  return m;
}

@compute @workgroup_size(16u * S)
fn main(
  @builtin(workgroup_id) group: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) index: u32,
) {
  // Past 65,535 workgroups down, the grid goes on in layers (z).
  let row0 = (group.y + group.z * groups.y) * 16u;
  let pos = index % 16u;
  let g = index / 16u;
  let i = row0 + 4u * (pos / 4u);        // this block's 4 rows
  let jv = group.x * 4u + pos % 4u;      // and its column vec4
  let nv = p.N / 4u;
  // Blocks past the edge compute from the last row and column and are not written (finish()).
  let jc = min(jv, nv - 1u);
  var acc = mat4x4f();
  var bias_sum = vec4f();
  if (FORM == FORM_GRADIENT) {
    // Terms one at a time (K is the batch's rows, any number): a's row k holds rows i..i+3 of aᵀ.
    let mv = p.M / 4u;
    let ic = min(i / 4u, mv - 1u);
    let run = (p.K + S - 1u) / S;
    let end = min(g * run + run, p.K);
    for (var k = g * run; k < end; k++) {
      let y = b[k * nv + jc];
      acc = madd(acc, a[k * mv + ic], y);
      bias_sum += y;
    }
  } else {
    // Terms four at a time (K is a multiple of 4 here): one vec4 of terms from each of 4 rows of a.
    let kw = p.K / 4u;
    let r0 = min(i, p.M - 1u) * kw;
    let r1 = min(i + 1u, p.M - 1u) * kw;
    let r2 = min(i + 2u, p.M - 1u) * kw;
    let r3 = min(i + 3u, p.M - 1u) * kw;
    let run = (kw + S - 1u) / S;
    let end = min(g * run + run, kw);
    for (var v = g * run; v < end; v++) {
      var y0: vec4f;
      var y1: vec4f;
      var y2: vec4f;
      var y3: vec4f;
      if (FORM == FORM_BACKWARD) {
        // bᵀ: the 4 columns are rows 4jc..4jc+3 of b, 4 terms each; turned into 4 terms' columns.
        let z0 = b[(4u * jc) * kw + v];
        let z1 = b[(4u * jc + 1u) * kw + v];
        let z2 = b[(4u * jc + 2u) * kw + v];
        let z3 = b[(4u * jc + 3u) * kw + v];
        y0 = vec4f(z0.x, z1.x, z2.x, z3.x);
        y1 = vec4f(z0.y, z1.y, z2.y, z3.y);
        y2 = vec4f(z0.z, z1.z, z2.z, z3.z);
        y3 = vec4f(z0.w, z1.w, z2.w, z3.w);
      } else {
        y0 = b[(4u * v) * nv + jc];
        y1 = b[(4u * v + 1u) * nv + jc];
        y2 = b[(4u * v + 2u) * nv + jc];
        y3 = b[(4u * v + 3u) * nv + jc];
      }
      acc = madd4(acc, a[r0 + v], a[r1 + v], a[r2 + v], a[r3 + v], y0, y1, y2, y3);
    }
  }
  partial[index] = acc;
  workgroupBarrier();
  if (g == 0u) {
    var sum = partial[pos];
    for (var h = 1u; h < S; h++) {
      sum += partial[h * 16u + pos];
    }
    finish(i, jv, sum);
  }
  // In the gradient with a bias, the first block row also sums b's columns (Σ_rows layer_{l+1}_delta),
  // split the same way: the runs' sums meet in the same workgroup memory, once it has been read.
  if (HAS_BIAS && FORM == FORM_GRADIENT) {
    workgroupBarrier();
    partial[index][0] = bias_sum;
    workgroupBarrier();
    if (row0 == 0u && g == 0u && pos < 4u) {
      var total = partial[pos][0];
      for (var h = 1u; h < S; h++) {
        total += partial[h * 16u + pos][0];
      }
      finish_bias(jv, total);
    }
  }
}
