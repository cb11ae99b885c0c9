// The fast matmul, register-blocked with quads: the loads of `a`, the 4×4 blocks and the fused
// epilogue of matmul_fast.wgsl (compiled before this file), but the right operand's blocks are
// read once per quad instead of once per invocation, and the tile is up to 4 × 8 blocks (16 rows
// × 32 columns per invocation): with fewer reads to wait for, bigger tiles pay (on SwiftShader
// 4 × 8 ran 1.3-1.7× as fast as 2 × 4, the register-blocked kernel's best). A quad is 4
// invocations that run side by side (on a CPU rasterizer such as SwiftShader, one SIMD register's
// 4 lanes; on a GPU, 4 lanes of a subgroup), and quadBroadcast(v, t) hands every lane of a quad
// the value lane t holds.
//
// Every invocation of a workgroup computes the same columns (jv comes from the workgroup, so any
// 4 invocations that form a quad share them) and its own rows. The 4 rows of b that a block
// needs are the same for the whole quad: lane t reads one of them, and the 4 broadcasts put the
// block together in every lane, so each lane reads a quarter of b's values it used to read. On a
// CPU rasterizer a read of memory is a gather, one lane at a time, and the 4 lanes' reads were the
// same address; here each lane reads a different one.
//
// quadBroadcast must be reached by all 4 lanes of a quad: no invocation returns before the sum
// (rows past M are read clamped, as in matmul_fast.wgsl, and never written), and the workgroup's
// size is a multiple of 4, so no quad is cut short.
// requires: enable_subgroups.wgsl, activation, matmul_epilogue.wgsl, matmul_fast.wgsl

// This invocation's tile: up to 4 × 8 blocks of 4×4 outputs, kept in registers. t<r><q> holds rows
// i+4r..i+4r+3 and column vec4 jv+q. Blocks the tile does not have (BM up to 4, BN up to 8) are
// dropped when the pipeline is made, and so are their loads (as in matmul_fast.wgsl).
var<private> t00: mat4x4f; var<private> t01: mat4x4f; var<private> t02: mat4x4f; var<private> t03: mat4x4f; var<private> t04: mat4x4f; var<private> t05: mat4x4f; var<private> t06: mat4x4f; var<private> t07: mat4x4f;
var<private> t10: mat4x4f; var<private> t11: mat4x4f; var<private> t12: mat4x4f; var<private> t13: mat4x4f; var<private> t14: mat4x4f; var<private> t15: mat4x4f; var<private> t16: mat4x4f; var<private> t17: mat4x4f;
var<private> t20: mat4x4f; var<private> t21: mat4x4f; var<private> t22: mat4x4f; var<private> t23: mat4x4f; var<private> t24: mat4x4f; var<private> t25: mat4x4f; var<private> t26: mat4x4f; var<private> t27: mat4x4f;
var<private> t30: mat4x4f; var<private> t31: mat4x4f; var<private> t32: mat4x4f; var<private> t33: mat4x4f; var<private> t34: mat4x4f; var<private> t35: mat4x4f; var<private> t36: mat4x4f; var<private> t37: mat4x4f;

// One step of the sum for every block of the tile: a0..a3 hold rows i..i+15 of the left operand in
// 4-row blocks, b0..b7 column vec4s jv..jv+7 of the right, all over the same 4 k's.
fn quad_accumulate(a0: mat4x4f, a1: mat4x4f, a2: mat4x4f, a3: mat4x4f, b0: mat4x4f, b1: mat4x4f, b2: mat4x4f, b3: mat4x4f,
                   b4: mat4x4f, b5: mat4x4f, b6: mat4x4f, b7: mat4x4f) {
  t00 += b0 * a0;
  if (BN >= 2u) { t01 += b1 * a0; }
  if (BN >= 4u) { t02 += b2 * a0; t03 += b3 * a0; }
  if (BN == 8u) { t04 += b4 * a0; t05 += b5 * a0; t06 += b6 * a0; t07 += b7 * a0; }
  if (BM >= 2u) {
    t10 += b0 * a1;
    if (BN >= 2u) { t11 += b1 * a1; }
    if (BN >= 4u) { t12 += b2 * a1; t13 += b3 * a1; }
    if (BN == 8u) { t14 += b4 * a1; t15 += b5 * a1; t16 += b6 * a1; t17 += b7 * a1; }
  }
  if (BM == 4u) {
    t20 += b0 * a2;
    if (BN >= 2u) { t21 += b1 * a2; }
    if (BN >= 4u) { t22 += b2 * a2; t23 += b3 * a2; }
    if (BN == 8u) { t24 += b4 * a2; t25 += b5 * a2; t26 += b6 * a2; t27 += b7 * a2; }
    t30 += b0 * a3;
    if (BN >= 2u) { t31 += b1 * a3; }
    if (BN >= 4u) { t32 += b2 * a3; t33 += b3 * a3; }
    if (BN == 8u) { t34 += b4 * a3; t35 += b5 * a3; t36 += b6 * a3; t37 += b7 * a3; }
  }
}

fn quad_finish_tile(i: u32, jv: u32) {
  finish(i, jv, t00);
  if (BN >= 2u) { finish(i, jv + 1u, t01); }
  if (BN >= 4u) { finish(i, jv + 2u, t02); finish(i, jv + 3u, t03); }
  if (BN == 8u) { finish(i, jv + 4u, t04); finish(i, jv + 5u, t05); finish(i, jv + 6u, t06); finish(i, jv + 7u, t07); }
  if (BM >= 2u) {
    finish(i + 4u, jv, t10);
    if (BN >= 2u) { finish(i + 4u, jv + 1u, t11); }
    if (BN >= 4u) { finish(i + 4u, jv + 2u, t12); finish(i + 4u, jv + 3u, t13); }
    if (BN == 8u) { finish(i + 4u, jv + 4u, t14); finish(i + 4u, jv + 5u, t15); finish(i + 4u, jv + 6u, t16); finish(i + 4u, jv + 7u, t17); }
  }
  if (BM == 4u) {
    finish(i + 8u, jv, t20);
    if (BN >= 2u) { finish(i + 8u, jv + 1u, t21); }
    if (BN >= 4u) { finish(i + 8u, jv + 2u, t22); finish(i + 8u, jv + 3u, t23); }
    if (BN == 8u) { finish(i + 8u, jv + 4u, t24); finish(i + 8u, jv + 5u, t25); finish(i + 8u, jv + 6u, t26); finish(i + 8u, jv + 7u, t27); }
    finish(i + 12u, jv, t30);
    if (BN >= 2u) { finish(i + 12u, jv + 1u, t31); }
    if (BN >= 4u) { finish(i + 12u, jv + 2u, t32); finish(i + 12u, jv + 3u, t33); }
    if (BN == 8u) { finish(i + 12u, jv + 4u, t34); finish(i + 12u, jv + 5u, t35); finish(i + 12u, jv + 6u, t36); finish(i + 12u, jv + 7u, t37); }
  }
}

// The rows of the block that lane t of a quad reads, as the block needs them.
fn quad_block(v: vec4f) -> mat4x4f {
  return mat4x4f(quadBroadcast(v, 0u), quadBroadcast(v, 1u), quadBroadcast(v, 2u), quadBroadcast(v, 3u));
}

// c = a · b. Block q is rows 4k..4k+3 of b at column vec4 jv + q: lane t reads row 4k + t.
@compute @workgroup_size(1, WY)
fn forward_quad(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(subgroup_invocation_id) lane_id: u32) {
  let lane = lane_id % 4u;
  let i = row_tile(id, groups) * 4u * BM;
  let jv = group.x * BN;
  let kv = p.K / 4u;
  let nv = p.N / 4u;
  if (jv >= nv) {
    return;
  }
  let last = nv - 1u;
  for (var k = 0u; k < kv; k++) {
    let row = (4u * k + lane) * nv;
    quad_accumulate(
      a_rows(i, k, kv, p.M), a_rows(i + 4u, k, kv, p.M), a_rows(i + 8u, k, kv, p.M), a_rows(i + 12u, k, kv, p.M),
      quad_block(b[row + jv]), quad_block(b[row + min(jv + 1u, last)]),
      quad_block(b[row + min(jv + 2u, last)]), quad_block(b[row + min(jv + 3u, last)]),
      quad_block(b[row + min(jv + 4u, last)]), quad_block(b[row + min(jv + 5u, last)]),
      quad_block(b[row + min(jv + 6u, last)]), quad_block(b[row + min(jv + 7u, last)]));
  }
  quad_finish_tile(i, jv);
}

// c = a · bᵀ. Block q is rows 4jv+4q..4jv+4q+3 of b at vec4 k, transposed: lane t reads row 4jv+4q+t.
@compute @workgroup_size(1, WY)
fn backward_quad(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(subgroup_invocation_id) lane_id: u32) {
  let lane = lane_id % 4u;
  let i = row_tile(id, groups) * 4u * BM;
  let jv = group.x * BN;
  let kv = p.K / 4u;
  let nv = p.N / 4u;
  if (jv >= nv) {
    return;
  }
  let last = p.N - 1u;
  let j = 4u * jv + lane;
  for (var k = 0u; k < kv; k++) {
    quad_accumulate(
      a_rows(i, k, kv, p.M), a_rows(i + 4u, k, kv, p.M), a_rows(i + 8u, k, kv, p.M), a_rows(i + 12u, k, kv, p.M),
      transpose(quad_block(b[min(j, last) * kv + k])), transpose(quad_block(b[min(j + 4u, last) * kv + k])),
      transpose(quad_block(b[min(j + 8u, last) * kv + k])), transpose(quad_block(b[min(j + 12u, last) * kv + k])),
      transpose(quad_block(b[min(j + 16u, last) * kv + k])), transpose(quad_block(b[min(j + 20u, last) * kv + k])),
      transpose(quad_block(b[min(j + 24u, last) * kv + k])), transpose(quad_block(b[min(j + 28u, last) * kv + k])));
  }
  quad_finish_tile(i, jv);
}

// c = aᵀ · b. Block q is rows k..k+3 of b at vec4 jv + q, rows past K read as zeros: lane t reads row k + t.
@compute @workgroup_size(1, WY)
fn gradient_quad(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(subgroup_invocation_id) lane_id: u32) {
  let lane = lane_id % 4u;
  let i = row_tile(id, groups) * 4u * BM;
  let jv = group.x * BN;
  let mv = p.M / 4u;
  let nv = p.N / 4u;
  if (jv >= nv) {
    return;
  }
  let sums_bias = HAS_BIAS && i == 0u;
  var bias_sum = mat4x4f();   // columns jv..jv+3
  var bias_sum4 = mat4x4f();  // columns jv+4..jv+7
  let last = nv - 1u;
  let mlast = mv - 1u;
  for (var k = 0u; k < p.K; k += 4u) {
    let row = min(k + lane, p.K - 1u) * nv;
    let inside = k + lane < p.K;
    let b0 = quad_block(select(vec4f(), b[row + jv], inside));
    let b1 = quad_block(select(vec4f(), b[row + min(jv + 1u, last)], inside));
    let b2 = quad_block(select(vec4f(), b[row + min(jv + 2u, last)], inside));
    let b3 = quad_block(select(vec4f(), b[row + min(jv + 3u, last)], inside));
    let b4 = quad_block(select(vec4f(), b[row + min(jv + 4u, last)], inside));
    let b5 = quad_block(select(vec4f(), b[row + min(jv + 5u, last)], inside));
    let b6 = quad_block(select(vec4f(), b[row + min(jv + 6u, last)], inside));
    let b7 = quad_block(select(vec4f(), b[row + min(jv + 7u, last)], inside));
    let iv = i / 4u;
    quad_accumulate(
      transpose(a_rows_k(k, min(iv, mlast), mv)), transpose(a_rows_k(k, min(iv + 1u, mlast), mv)),
      transpose(a_rows_k(k, min(iv + 2u, mlast), mv)), transpose(a_rows_k(k, min(iv + 3u, mlast), mv)),
      b0, b1, b2, b3, b4, b5, b6, b7);
    if (sums_bias) {
      bias_sum += column_sums(b0, b1, b2, b3);
      if (BN == 8u) { bias_sum4 += column_sums(b4, b5, b6, b7); }
    }
  }
  quad_finish_tile(i, jv);
  if (sums_bias) {
    update_bias(jv, bias_sum);
    if (BN == 8u) { update_bias(jv + 4u, bias_sum4); }
  }
}
