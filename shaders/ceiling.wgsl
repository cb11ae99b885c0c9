// The adapter's ceiling: arithmetic and nothing else. Each invocation keeps CHAINS independent
// accumulators in registers and runs LOOPS rounds of multiply-adds on each, reading no memory in
// the loop, so the time is the adapter's f32 multiply-add rate and no kernel that also reads its
// operands (a matmul) can go faster. Two shapes of the same work, since compilers schedule them
// differently and the benchmark takes whichever runs faster:
//   FORM 0  vec4 accumulators, one multiply-add per round (fma(), or a multiply and an add);
//           FLOPs = invocations · LOOPS · CHAINS · 4 lanes · 2
//   FORM 1  4×4 matrix accumulators, c = m · c + s per round, the shape of the fast matmul's inner
//           step (shaders/matmul_fast.wgsl: acc += B * A): each of the 16 entries is 4 products and
//           4 additions (3 inside the product, 1 for s), so 64 multiply-adds;
//           FLOPs = invocations · LOOPS · CHAINS · 64 · 2. (Without s, m · c is 4 multiplications
//           and only 3 additions per entry: counted as 64 multiply-adds it would claim 1/7 more
//           than it does, and every matmul would look worse against it.)
// Each round depends on the one before, so no compiler can move the work out of the loop, and the
// sum is written at the end so that none can drop it.

override WORKGROUP: u32 = 64;
override CHAINS: u32 = 8;   // independent accumulators, to hide the latency of each multiply-add (4 or 8)
override LOOPS: u32 = 1024;
override FUSED: bool = true;  // FORM 0: fma(), or a multiply then an add (some compilers fuse those better)
override FORM: u32 = 0;

struct Params {
  scale: f32,   // 0.999 from the host: not a constant the compiler could fold
  shift: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4f>;

fn step(c: vec4f, m: vec4f, s: vec4f) -> vec4f {
  if (FUSED) {
    return fma(c, m, s);
  }
  return c * m + s;
}

fn vectors(seed: f32) -> vec4f {
  let m = vec4f(p.scale);
  let s = vec4f(p.shift);
  var c0 = vec4f(seed, seed + 1.0, seed + 2.0, seed + 3.0);
  var c1 = c0 + 0.5;
  var c2 = c0 + 1.5;
  var c3 = c0 + 2.5;
  var c4 = c0 + 3.5;
  var c5 = c0 + 4.5;
  var c6 = c0 + 5.5;
  var c7 = c0 + 6.5;
  for (var i = 0u; i < LOOPS; i++) {
    c0 = step(c0, m, s);
    c1 = step(c1, m, s);
    c2 = step(c2, m, s);
    c3 = step(c3, m, s);
    if (CHAINS > 4u) {
      c4 = step(c4, m, s);
      c5 = step(c5, m, s);
      c6 = step(c6, m, s);
      c7 = step(c7, m, s);
    }
  }
  return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
}

// m is scale times a matrix whose rows and columns each sum to 1 (entries 0.1 to 0.4, all in
// different places, so no compiler can shorten m · c to a sum), and s is shift in every entry: the
// values stay positive and finite (they settle towards shift / (1 − scale)).
fn matrices(seed: f32) -> vec4f {
  let m = p.scale * mat4x4f(vec4f(0.4, 0.3, 0.2, 0.1), vec4f(0.1, 0.4, 0.3, 0.2), vec4f(0.2, 0.1, 0.4, 0.3), vec4f(0.3, 0.2, 0.1, 0.4));
  let s = mat4x4f(vec4f(p.shift), vec4f(p.shift), vec4f(p.shift), vec4f(p.shift));
  let v = vec4f(seed, seed + 1.0, seed + 2.0, seed + 3.0);
  var c0 = mat4x4f(v, v + 0.5, v + 1.0, v + 1.5);
  var c1 = c0 * 1.5;
  var c2 = c0 * 2.0;
  var c3 = c0 * 2.5;
  var c4 = c0 * 3.0;
  var c5 = c0 * 3.5;
  var c6 = c0 * 4.0;
  var c7 = c0 * 4.5;
  for (var i = 0u; i < LOOPS; i++) {
    c0 = m * c0 + s;
    c1 = m * c1 + s;
    c2 = m * c2 + s;
    c3 = m * c3 + s;
    if (CHAINS > 4u) {
      c4 = m * c4 + s;
      c5 = m * c5 + s;
      c6 = m * c6 + s;
      c7 = m * c7 + s;
    }
  }
  let sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
  return sum[0] + sum[1] + sum[2] + sum[3];
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let seed = f32(id.x) * 1e-6;
  var result: vec4f;
  if (FORM == 1u) {
    result = matrices(seed);
  } else {
    result = vectors(seed);
  }
  out[id.x + id.y * groups.x * WORKGROUP] = result;
}
