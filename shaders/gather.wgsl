// layer_0 = inputs[batch rows], goal = targets[batch rows]     numpy: layer_0 = streetlights[i:i+1]
// The batch's rows are order[start], order[start + 1], ... order[start + rows - 1]; order is the
// identity unless the training set is shuffled. The whole dataset stays on the GPU; each batch
// only moves its own rows.

override WORKGROUP_SIZE: u32 = 64;

// One entry per batch of an iteration, chosen by a dynamic offset when the batch is recorded.
// The widths are the row lengths of layer_0 and goal: the sizes, or rounded up to whole vec4s for
// the fast plan (the padding columns are never written, so they stay 0).
struct Batch {
  start: u32,
  rows: u32,
  input_size: u32,
  output_size: u32,
  layer_width: u32,
  goal_width: u32,
}

@group(0) @binding(0) var<uniform> batch: Batch;
@group(0) @binding(1) var<storage, read> order: array<u32>;       // (examples)
@group(0) @binding(2) var<storage, read> inputs: array<f32>;      // (examples, input_size)
@group(0) @binding(3) var<storage, read> targets: array<f32>;     // (examples, output_size)
@group(0) @binding(4) var<storage, read_write> layer_0: array<f32>;   // (rows, layer_width)
@group(0) @binding(5) var<storage, read_write> goal: array<f32>;      // (rows, goal_width)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i < batch.rows * batch.input_size) {
    let r = i / batch.input_size;
    let c = i % batch.input_size;
    layer_0[r * batch.layer_width + c] = inputs[order[batch.start + r] * batch.input_size + c];
  }
  if (i < batch.rows * batch.output_size) {
    let r = i / batch.output_size;
    let c = i % batch.output_size;
    goal[r * batch.goal_width + c] = targets[order[batch.start + r] * batch.output_size + c];
  }
}
