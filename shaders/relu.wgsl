// relu, the seed's activation for hidden layers: x where x > 0, else 0.   numpy: def relu(x): return (x > 0) * x
// relu2deriv, from the layer's output: 1 where the unit fired (output > 0, exactly 0 excluded),
// else 0, so only hidden units that fired pass their share of the error back.
//                                                                   numpy: def relu2deriv(output): return output > 0
// The kernels whose header says `requires: activation` are compiled after this file and call
// activation() and activation2deriv().
// provides: activation

fn relu(x: f32) -> f32 {
  return select(0.0, x, x > 0.0);
}

fn relu2deriv(output: f32) -> f32 {
  return select(0.0, 1.0, output > 0.0);
}

fn activation(x: f32) -> f32 {
  return relu(x);
}

fn activation2deriv(output: f32) -> f32 {
  return relu2deriv(output);
}
