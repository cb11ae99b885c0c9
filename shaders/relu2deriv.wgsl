// layer_1_delta = layer_1_delta * relu2deriv(layer_1), in place.
// relu2deriv is 1 where the layer's output is > 0 and 0 elsewhere (exactly 0 included).  numpy: output > 0
// Only hidden units that fired pass their share of the error back.
// delta and layer are both (batch, size), flattened to count elements.

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> layer: array<f32>;
@group(0) @binding(2) var<storage, read_write> delta: array<f32>;

fn relu2deriv(output: f32) -> f32 {
  return select(0.0, 1.0, output > 0.0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  delta[i] = delta[i] * relu2deriv(layer[i]);
}
