// The fast matmul, register-blocked with quads: the tiles, loads of `a`, multiply-adds and fused
// epilogue of matmul_fast.wgsl (compiled before this file), but the right operand's blocks are
// read once per quad instead of once per invocation. A quad is 4 invocations that run side by
// side (on a CPU rasterizer such as SwiftShader, one SIMD register's 4 lanes; on a GPU, 4 lanes
// of a subgroup), and quadBroadcast(v, t) hands every lane of a quad the value lane t holds.
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
    accumulate(
      a_rows(i, k, kv, p.M),
      a_rows(i + 4u, k, kv, p.M),
      quad_block(b[row + jv]),
      quad_block(b[row + min(jv + 1u, last)]),
      quad_block(b[row + min(jv + 2u, last)]),
      quad_block(b[row + min(jv + 3u, last)]));
  }
  finish_tile(i, jv);
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
    accumulate(
      a_rows(i, k, kv, p.M),
      a_rows(i + 4u, k, kv, p.M),
      transpose(quad_block(b[min(j, last) * kv + k])),
      transpose(quad_block(b[min(j + 4u, last) * kv + k])),
      transpose(quad_block(b[min(j + 8u, last) * kv + k])),
      transpose(quad_block(b[min(j + 12u, last) * kv + k])));
  }
  finish_tile(i, jv);
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
  var bias_sum = mat4x4f();
  let last = nv - 1u;
  for (var k = 0u; k < p.K; k += 4u) {
    let row = min(k + lane, p.K - 1u) * nv;
    let inside = k + lane < p.K;
    let b0 = quad_block(select(vec4f(), b[row + jv], inside));
    let b1 = quad_block(select(vec4f(), b[row + min(jv + 1u, last)], inside));
    let b2 = quad_block(select(vec4f(), b[row + min(jv + 2u, last)], inside));
    let b3 = quad_block(select(vec4f(), b[row + min(jv + 3u, last)], inside));
    accumulate(
      transpose(a_rows_k(k, min(i / 4u, mv - 1u), mv)),
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
