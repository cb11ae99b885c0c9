// The lab's exercises, built from the lesson: a kernel with a bug to find, or a function to write.
// Each loads its version of one file of shaders/; a graded run says where it goes wrong, and a
// run that passes with the file changed solves it.

import { LAB_FILES } from './files.js';

export interface Exercise {
  id: string;
  kind: 'find the bug' | 'write it yourself';
  title: string;
  /** What to look for, in the lesson's words. */
  brief: string;
  /** The file it edits, and the version it starts from. */
  file: string;
  start: string;
  /** Settings it runs with, as URL parameters (a network where the bug shows). */
  query?: string;
  /** The numpy line of the dispatch where the reference catches it. */
  caughtAt: string;
}

/** The file's text with `from` replaced by `to`; throws if `from` is not there (the exercise is out of date). */
function edit(file: string, from: string, to: string): string {
  const code = LAB_FILES[file]!.code;
  if (!code.includes(from)) throw new Error(`exercise for shaders/${file}.wgsl: "${from}" is not in the file`);
  return code.replace(from, to);
}

export const EXERCISES: readonly Exercise[] = [
  {
    id: 'mask',
    kind: 'find the bug',
    title: 'The derivative mask dropped',
    brief: 'Only hidden units that fired should pass their share of the error back. This kernel passes every unit\'s share. Which line forgot relu2deriv?',
    file: 'activate2deriv',
    start: edit('activate2deriv', 'delta[i] = delta[i] * activation2deriv(layer[i]);', 'delta[i] = delta[i];'),
    caughtAt: 'layer_1_delta *= relu2deriv(layer_1)',
  },
  {
    id: 'transpose',
    kind: 'find the bug',
    title: 'The transpose missing in the backprop matmul',
    brief: 'Backpropagation sends a delta back through the same weights, transposed: bᵀ[k][j] is b[j][k]. One branch of b_at reads b as if it were not transposed. (Three layers, so the weights are not a single column.)',
    file: 'matmul',
    start: edit('matmul', 'return b[j * shape.K + k];', 'return b[k * shape.N + j];'),
    query: 'layers=3,4,3,1',
    caughtAt: 'layer_1_delta = layer_2_delta.dot(weights_1_2.T)',
  },
  {
    id: 'sign',
    kind: 'find the bug',
    title: 'The update goes uphill',
    brief: 'Gradient descent moves each weight against its weight_delta. This update moves it with the weight_delta, so the error grows. Find the sign.',
    file: 'update',
    start: edit('update', 'weights[i] = weights[i] - params.scale * weight_delta[i];', 'weights[i] = weights[i] + params.scale * weight_delta[i];'),
    caughtAt: 'weights_1_2 -= alpha * weight_delta_1_2',
  },
  {
    id: 'delta',
    kind: 'find the bug',
    title: 'The delta points the wrong way',
    brief: 'The lesson\'s delta is prediction − goal: positive when the prediction is too high. This kernel computes it the other way round; the error it adds up is still right. Where?',
    file: 'output_delta',
    start: edit('output_delta', 'let d = prediction[i] - goal[i];', 'let d = goal[i] - prediction[i];'),
    caughtAt: 'layer_2_delta = layer_2 - goal; error += np.sum(layer_2_delta ** 2)',
  },
  {
    id: 'edge',
    kind: 'find the bug',
    title: 'An off-by-one at the edge of the grid',
    brief: 'The grid is rounded up to whole 8 × 8 workgroups, so some invocations fall past the edge of c and must do nothing. This guard lets the first row and column past the edge through. It only shows on shapes that are not a multiple of the workgroup, like every layer here.',
    file: 'matmul',
    start: edit('matmul', 'if (i >= shape.M || j >= shape.N) {', 'if (i > shape.M || j > shape.N) {'),
    caughtAt: 'layer_1 = np.dot(layer_0, weights_0_1)',
  },
  {
    id: 'relu2deriv',
    kind: 'write it yourself',
    title: 'Write relu2deriv',
    brief: 'numpy: def relu2deriv(output): return output > 0. Write its body in WGSL: 1.0 where the unit fired (output above 0), 0.0 elsewhere, exactly 0 included. (Hint: select(a, b, condition) is b where the condition holds.)',
    file: 'relu',
    start: edit('relu', 'fn relu2deriv(output: f32) -> f32 {\n  return select(0.0, 1.0, output > 0.0);\n}', 'fn relu2deriv(output: f32) -> f32 {\n  // your code here\n  return 1.0;\n}'),
    caughtAt: 'layer_1_delta *= relu2deriv(layer_1)',
  },
];
