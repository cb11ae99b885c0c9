// c = a · b, one output per invocation: c[i][j] = Σₖ a[i][k] · b[k][j].
// The three forms backprop needs, chosen by override constants when the pipeline is made:
//   forward   layer_1 = layer_0 · weights_0_1               np.dot(layer_0, weights_0_1)
//   backprop  layer_1_delta = layer_2_delta · weights_1_2ᵀ   layer_2_delta.dot(weights_1_2.T)   TRANSPOSE_B
//   gradient  weight_delta_1_2 = layer_1ᵀ · layer_2_delta    layer_1.T.dot(layer_2_delta)       TRANSPOSE_A

override WORKGROUP_X: u32 = 8;   // invocations along j (columns of c)
override WORKGROUP_Y: u32 = 8;   // invocations along i (rows of c)
override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;

// c is (M, N); a is (M, K), or (K, M) stored when TRANSPOSE_A; b is (K, N), or (N, K) stored when TRANSPOSE_B.
struct Shape {
  M: u32,
  K: u32,
  N: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// Row-major storage: element (r, k) of an (R, K) matrix lives at r * K + k.
// A transposed operand is read in place, never copied: aᵀ[i][k] is a[k][i].
fn a_at(i: u32, k: u32) -> f32 {
  if (TRANSPOSE_A) {
    return a[k * shape.M + i];
  }
  return a[i * shape.K + k];
}

fn b_at(k: u32, j: u32) -> f32 {
  if (TRANSPOSE_B) {
    return b[j * shape.K + k];
  }
  return b[k * shape.N + j];
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Row i of c. A grid allows at most 65,535 workgroups down; more rows go on in a second layer
  // of the grid (z), each layer groups.y * WORKGROUP_Y rows further down.
  let i = id.y + id.z * groups.y * WORKGROUP_Y;
  let j = id.x;
  // The grid is rounded up to whole workgroups; invocations past the edge of c do nothing.
  if (i >= shape.M || j >= shape.N) {
    return;
  }
  var sum = 0.0;
  for (var k = 0u; k < shape.K; k++) {
    sum += a_at(i, k) * b_at(k, j);
  }
  c[i * shape.N + j] = sum;
}
