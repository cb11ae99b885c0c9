// linear: the identity, x → x. A hidden layer without an activation (the lesson's point: a stack
// of linear layers is one linear layer, since x·W₀·W₁ = x·(W₀·W₁)).    numpy: layer_1 = np.dot(layer_0, weights_0_1)
// linear2deriv, from the layer's output: 1 everywhere, so every hidden unit passes its whole share
// of the error back.                                               numpy: layer_1_delta = layer_2_delta.dot(weights_1_2.T)
// The kernels whose header says `requires: activation` are compiled after this file and call
// activation() and activation2deriv().
// provides: activation

fn linear(x: f32) -> f32 {
  return x;
}

fn linear2deriv(output: f32) -> f32 {
  return 1.0;
}

fn activation(x: f32) -> f32 {
  return linear(x);
}

fn activation2deriv(output: f32) -> f32 {
  return linear2deriv(output);
}
