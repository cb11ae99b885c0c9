// What an activation function is to this project: its WGSL functions (activation and
// activation2deriv, compiled before every kernel that applies it), its float64 versions, and the
// lines of numpy the lesson would write for it. One module per activation, beside its shader.

import type { Shader } from '../../gpu/shader.js';

export interface Activation {
  /** relu, sigmoid, tanh, linear: the --activation value and the name in the numpy lines. */
  readonly name: string;
  /** shaders/<name>.wgsl: defines activation(x) and activation2deriv(output). */
  readonly shader: Shader;
  /** The activation in float64, as numpy computes it. */
  forward(x: number): number;
  /** Its slope in float64, from the layer's output (as the lesson's relu2deriv takes it). */
  derivative(output: number): number;
  /** What it does to a hidden unit, and what its derivative lets through: sentences for the page. */
  readonly explain: { forward: string; derivative: string };
  /** The numpy definitions, as the lesson writes relu and relu2deriv. */
  readonly numpy: { forward: string; derivative: string };
  /** The ONNX operator that computes it (the exported model.onnx). */
  readonly onnx: string;
  /**
   * The largest |GPU − float64| of one float32 evaluation, for an input or output of magnitude
   * |x|: 0 for relu (exact), a few ULP of the result's scale for functions built on exp.
   */
  tolerance(x: number): number;
}
