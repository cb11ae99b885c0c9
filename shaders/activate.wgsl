// layer = activation(layer), in place.       numpy: layer_1 = relu(np.dot(layer_0, weights_0_1))
// Compiled after the activation's own file (shaders/relu.wgsl, sigmoid.wgsl or tanh.wgsl),
// which defines activation(). layer is (batch, size), flattened to count elements.
// requires: activation

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> layer: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // A large layer is dispatched as a 2D grid of workgroups (65,535 per dimension at most).
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  layer[i] = activation(layer[i]);
}
