// weights = weights - scale * weight_delta, in place.   numpy: weights_1_2 -= alpha * layer_1.T.dot(layer_2_delta)
// scale is alpha / batch rows, so the step follows the gradient averaged over the batch
// (with one example per batch, as in the seed, scale is alpha).
// weights and weight_delta are both (rows, cols), flattened to count elements.

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  count: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weight_delta: array<f32>;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  weights[i] = weights[i] - params.scale * weight_delta[i];
}
