// sigmoid: squashes any sum into (0, 1).                        numpy: def sigmoid(x): return 1 / (1 + np.exp(-x))
// sigmoid2deriv, from the layer's output: output · (1 − output).  numpy: def sigmoid2deriv(output): return output * (1 - output)
// The kernels whose header says `requires: activation` are compiled after this file and call
// activation() and activation2deriv().
// provides: activation

fn sigmoid(x: f32) -> f32 {
  // exp of −|x| never overflows: for x < 0, 1 / (1 + e^−x) is e^x / (1 + e^x).
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn sigmoid2deriv(output: f32) -> f32 {
  return output * (1.0 - output);
}

fn activation(x: f32) -> f32 {
  return sigmoid(x);
}

fn activation2deriv(output: f32) -> f32 {
  return sigmoid2deriv(output);
}
