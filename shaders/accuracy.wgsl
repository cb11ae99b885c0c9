// correct += the rows whose largest output is the goal's class:  numpy: np.sum(layer_L.argmax(1) == goal.argmax(1))
// Ties go to the first largest, as numpy's argmax. One workgroup, partial counts added pairwise.

override WORKGROUP_SIZE: u32 = 64;   // a power of two

struct Params {
  rows: u32,
  n: u32,       // output units
  width: u32,   // row length in the buffers
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> prediction: array<f32>;    // (rows, width)
@group(0) @binding(2) var<storage, read> goal: array<f32>;          // (rows, width)
@group(0) @binding(3) var<storage, read_write> correct: array<f32>; // correct[0], a running count (exact below 2²⁴)

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn predicted_class(at: u32) -> u32 {
  var best = 0u;
  for (var j = 1u; j < params.n; j++) {
    if (prediction[at + j] > prediction[at + best]) {
      best = j;
    }
  }
  return best;
}

fn goal_class(at: u32) -> u32 {
  var best = 0u;
  for (var j = 1u; j < params.n; j++) {
    if (goal[at + j] > goal[at + best]) {
      best = j;
    }
  }
  return best;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) t: u32) {
  var count = 0.0;
  for (var r = t; r < params.rows; r += WORKGROUP_SIZE) {
    let at = r * params.width;
    if (predicted_class(at) == goal_class(at)) {
      count += 1.0;
    }
  }
  partial[t] = count;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (t < stride) {
      partial[t] += partial[t + stride];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    correct[0] += partial[0];
  }
}
