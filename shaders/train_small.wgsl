// The whole training loop of a small network in one invocation: `steps` steps of gradient descent
// per dispatch, each the seed's program for one batch, with nothing read back in between.
//   for each example of the batch:
//     layer_0 = inputs[row];  layer_{l+1} = relu(layer_l · weights_l_{l+1})  (linear at the output)
//     layer_L_delta = layer_L - goal;  error += Σ layer_L_delta²
//     weight_delta_l_{l+1} += layer_lᵀ · layer_{l+1}_delta
//     layer_l_delta = layer_{l+1}_delta · weights_l_{l+1}ᵀ * relu2deriv(layer_l)
//   weights_l_{l+1} -= alpha / rows · weight_delta_l_{l+1}
// For small networks a dispatch costs far more than the arithmetic of a step, so one invocation
// doing every step beats many parallel dispatches. Bigger networks use the fast plan instead.
// Compiled after the hidden layers' activation (shaders/relu.wgsl, sigmoid.wgsl or tanh.wgsl),
// which defines activation() and activation2deriv(); relu is the seed's.
// requires: activation

const MAX_LAYERS = 8u;
const MAX_UNITS = 128u;     // Σ layer sizes
const MAX_WEIGHTS = 2048u;  // Σ weights

struct Params {
  layer_count: u32,     // layers, input and output included
  steps: u32,           // steps to run in this dispatch
  batch_size: u32,
  examples: u32,
  input_size: u32,
  output_size: u32,
  alpha: f32,
}

// Where the run stands, kept between dispatches: the next batch's first row, the iteration's
// running error (as bits), and how many iteration errors this run has logged.
struct State {
  next_row: u32,
  error_bits: u32,
  logged: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> sizes: array<u32>;        // (layer_count)
@group(0) @binding(2) var<storage, read> inputs: array<f32>;       // (examples, input_size)
@group(0) @binding(3) var<storage, read> targets: array<f32>;      // (examples, output_size)
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;  // every weights_l_{l+1}, row-major, one after another
@group(0) @binding(5) var<storage, read_write> state: State;
@group(0) @binding(6) var<storage, read_write> errors: array<f32>; // the error of each iteration completed

var<private> layer: array<f32, MAX_UNITS>;        // layer_0 | layer_1 | ... for one example
var<private> delta: array<f32, MAX_UNITS>;        // the deltas, laid out like the layers
var<private> weight_delta: array<f32, MAX_WEIGHTS>;
var<private> unit_at: array<u32, MAX_LAYERS>;     // where layer l starts in `layer`
var<private> weight_at: array<u32, MAX_LAYERS>;   // where weights_l_{l+1} starts in `weights`

// One example: forward, error, and its share of every weight_delta; returns its Σ delta².
fn train_example(row: u32) -> f32 {
  let last = params.layer_count - 1u;
  for (var i = 0u; i < params.input_size; i++) {
    layer[i] = inputs[row * params.input_size + i];
  }
  for (var l = 0u; l < last; l++) {
    let n_in = sizes[l];
    let n_out = sizes[l + 1u];
    for (var j = 0u; j < n_out; j++) {
      var sum = 0.0;
      for (var k = 0u; k < n_in; k++) {
        sum += layer[unit_at[l] + k] * weights[weight_at[l] + k * n_out + j];
      }
      layer[unit_at[l + 1u] + j] = select(sum, activation(sum), l + 1u < last);
    }
  }
  var error = 0.0;
  for (var j = 0u; j < params.output_size; j++) {
    let d = layer[unit_at[last] + j] - targets[row * params.output_size + j];
    delta[unit_at[last] + j] = d;
    error += d * d;
  }
  for (var l = last; l > 0u; l--) {
    let n_in = sizes[l - 1u];
    let n_out = sizes[l];
    for (var k = 0u; k < n_in; k++) {
      var back = 0.0;
      for (var j = 0u; j < n_out; j++) {
        let d = delta[unit_at[l] + j];
        weight_delta[weight_at[l - 1u] + k * n_out + j] += layer[unit_at[l - 1u] + k] * d;
        back += d * weights[weight_at[l - 1u] + k * n_out + j];
      }
      delta[unit_at[l - 1u] + k] = back * activation2deriv(layer[unit_at[l - 1u] + k]);
    }
  }
  return error;
}

@compute @workgroup_size(1)
fn main() {
  let last = params.layer_count - 1u;
  var units = 0u;
  var count = 0u;
  for (var l = 0u; l <= last; l++) {
    unit_at[l] = units;
    weight_at[l] = count;
    units += sizes[l];
    if (l < last) {
      count += sizes[l] * sizes[l + 1u];
    }
  }
  var row = state.next_row;
  var iteration_error = bitcast<f32>(state.error_bits);
  for (var step = 0u; step < params.steps; step++) {
    let rows = min(params.batch_size, params.examples - row);
    for (var w = 0u; w < count; w++) {
      weight_delta[w] = 0.0;
    }
    for (var r = 0u; r < rows; r++) {
      iteration_error += train_example(row + r);
    }
    let scale = params.alpha / f32(rows);
    for (var w = 0u; w < count; w++) {
      weights[w] = weights[w] - scale * weight_delta[w];
    }
    row += rows;
    if (row == params.examples) {
      errors[state.logged] = iteration_error;
      state.logged += 1u;
      iteration_error = 0.0;
      row = 0u;
    }
  }
  state.next_row = row;
  state.error_bits = bitcast<u32>(iteration_error);
}
