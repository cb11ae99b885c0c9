// layer_1_delta = layer_1_delta * relu2deriv(layer_1), in place.
//                     numpy: layer_1_delta = layer_2_delta.dot(weights_1_2.T) * relu2deriv(layer_1)
// Compiled after the activation's own file (shaders/relu.wgsl, sigmoid.wgsl or tanh.wgsl), which
// defines activation2deriv(): the activation's slope, computed from the layer's output.
// delta and layer are both (batch, size), flattened to count elements.
// requires: activation

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> layer: array<f32>;
@group(0) @binding(2) var<storage, read_write> delta: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  delta[i] = delta[i] * activation2deriv(layer[i]);
}
