// layer_0 = inputs[batch rows], goal = targets[batch rows]     numpy: layer_0 = streetlights[i:i+1]
// The batch's rows are order[start], order[start + 1], ... order[start + rows - 1]; order is the
// identity unless the training set is shuffled. The whole dataset stays on the GPU; each batch
// only moves its own rows. With image_width set, each image is moved by its (dx, dy) in shifts
// (augmentation: a new small shift every epoch), the pixels moved in from outside being 0.

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
  image_width: u32,   // 0: no shifting
}

@group(0) @binding(0) var<uniform> batch: Batch;
@group(0) @binding(1) var<storage, read> order: array<u32>;       // (examples)
@group(0) @binding(2) var<storage, read> inputs: array<f32>;      // (examples, input_size)
@group(0) @binding(3) var<storage, read> targets: array<f32>;     // (examples, output_size)
@group(0) @binding(4) var<storage, read_write> layer_0: array<f32>;   // (rows, layer_width)
@group(0) @binding(5) var<storage, read_write> goal: array<f32>;      // (rows, goal_width)
@group(0) @binding(6) var<storage, read> shifts: array<vec2i>;        // (examples): this epoch's (dx, dy)

// Pixel c of example `row`, moved by the example's shift when images are being shifted.
fn pixel(row: u32, c: u32) -> f32 {
  if (batch.image_width == 0u) {
    return inputs[row * batch.input_size + c];
  }
  let w = i32(batch.image_width);
  let h = i32(batch.input_size / batch.image_width);
  let x = i32(c % batch.image_width) - shifts[row].x;
  let y = i32(c / batch.image_width) - shifts[row].y;
  if (x < 0 || x >= w || y < 0 || y >= h) {
    return 0.0;
  }
  return inputs[row * batch.input_size + u32(y * w + x)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i < batch.rows * batch.input_size) {
    let r = i / batch.input_size;
    let c = i % batch.input_size;
    layer_0[r * batch.layer_width + c] = pixel(order[batch.start + r], c);
  }
  if (i < batch.rows * batch.output_size) {
    let r = i / batch.output_size;
    let c = i % batch.output_size;
    goal[r * batch.goal_width + c] = targets[order[batch.start + r] * batch.output_size + c];
  }
}
