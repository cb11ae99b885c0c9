// The adapter's ceiling: arithmetic and nothing else. Each invocation keeps CHAINS independent
// vec4 accumulators in registers and runs LOOPS rounds of one multiply-add on each (fma(), or a
// multiply and an add: the benchmark takes whichever runs faster), reading no
// memory in the loop, so the time is the adapter's f32 multiply-add rate and no kernel that also
// reads its operands (a matmul) can go faster. FLOPs = invocations · LOOPS · CHAINS · 4 lanes · 2.
// The sum is written at the end so that the compiler cannot drop the work.

override WORKGROUP: u32 = 64;
override CHAINS: u32 = 8;   // independent accumulators, to hide the latency of each multiply-add
override LOOPS: u32 = 1024;
override FUSED: bool = true;  // fma(), or a multiply then an add (some compilers fuse those better)

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

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let seed = f32(id.x) * 1e-6;
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
  out[id.x + id.y * groups.x * WORKGROUP] = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
}
