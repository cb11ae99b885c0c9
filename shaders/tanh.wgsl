// tanh: squashes any sum into (−1, 1).                          numpy: def tanh(x): return np.tanh(x)
// tanh2deriv, from the layer's output: 1 − output².             numpy: def tanh2deriv(output): return 1 - (output ** 2)
// The kernels whose header says `requires: activation` are compiled after this file and call
// activation() and activation2deriv().
// provides: activation

fn tanh_of(x: f32) -> f32 {
  // Written out rather than WGSL's tanh(), whose accuracy the spec leaves loose: e^−2|x| never
  // overflows, and tanh is odd, so tanh(x) = sign(x) · (1 − e^−2|x|) / (1 + e^−2|x|).
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

fn tanh2deriv(output: f32) -> f32 {
  return 1.0 - output * output;
}

fn activation(x: f32) -> f32 {
  return tanh_of(x);
}

fn activation2deriv(output: f32) -> f32 {
  return tanh2deriv(output);
}
