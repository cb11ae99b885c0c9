// For a softmax output with cross-entropy loss, per row of logits z (a layer_L row):
//   p = softmax(z) = exp(z - logsumexp(z));  layer_L_delta = p - goal
//   error += Σⱼ goal_j · (logsumexp(z) − z_j)          (the cross-entropy −Σ goal · log p)
// p − goal is also the gradient of the cross-entropy with respect to z, so the backward pass is
// the same as for the seed's squared error. One workgroup: each invocation takes every
// WORKGROUP_SIZE-th row, then the partial errors are added pairwise (a fixed order, no atomics).

override WORKGROUP_SIZE: u32 = 64;   // a power of two

struct Params {
  rows: u32,
  n: u32,       // output units
  width: u32,   // row length in the buffers (n, or padded to whole vec4s)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;        // (rows, width)
@group(0) @binding(2) var<storage, read> goal: array<f32>;          // (rows, width)
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;   // (rows, width); padding stays 0
@group(0) @binding(4) var<storage, read_write> error: array<f32>;   // error[0], the running sum

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) t: u32) {
  var sum = 0.0;
  for (var r = t; r < params.rows; r += WORKGROUP_SIZE) {
    let at = r * params.width;
    var top = logits[at];
    for (var j = 1u; j < params.n; j++) {
      top = max(top, logits[at + j]);
    }
    var total = 0.0;
    for (var j = 0u; j < params.n; j++) {
      total += exp(logits[at + j] - top);
    }
    let lse = top + log(total);
    for (var j = 0u; j < params.n; j++) {
      let z = logits[at + j];
      delta[at + j] = exp(z - lse) - goal[at + j];
      sum += goal[at + j] * (lse - z);
    }
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
