// layer = relu(layer), in place: x if x > 0, else 0.      numpy: (x > 0) * x
// layer is (batch, size), flattened to count elements.

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> layer: array<f32>;

fn relu(x: f32) -> f32 {
  return select(0.0, x, x > 0.0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // A large layer is dispatched as a 2D grid of workgroups (65,535 per dimension at most).
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  layer[i] = relu(layer[i]);
}
