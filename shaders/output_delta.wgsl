// layer_2_delta = layer_2 - goal                      numpy: layer_2_delta = (layer_2 - walk_vs_stop[i:i+1])
// error += Σ (layer_2 - goal)²                         numpy: layer_2_error += np.sum((layer_2 - walk_vs_stop[i:i+1]) ** 2)
// One workgroup: each invocation takes every WORKGROUP_SIZE-th element, then the partial sums are
// added pairwise in workgroup memory. The order is fixed, so the sum is the same on every run
// (no float atomics). error accumulates over the batches of an iteration and is cleared after each.

override WORKGROUP_SIZE: u32 = 64;   // a power of two

struct Params {
  count: u32,   // batch rows × output size
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> prediction: array<f32>;
@group(0) @binding(2) var<storage, read> goal: array<f32>;
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;
@group(0) @binding(4) var<storage, read_write> error: array<f32>;   // error[0], the running sum

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) t: u32) {
  var sum = 0.0;
  for (var i = t; i < params.count; i += WORKGROUP_SIZE) {
    let d = prediction[i] - goal[i];
    delta[i] = d;
    sum += d * d;
  }
  partial[t] = sum;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (t < stride) {
      partial[t] += partial[t + stride];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    error[0] += partial[0];
  }
}
