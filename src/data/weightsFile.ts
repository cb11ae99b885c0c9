// Weights as a JSON file: the layer sizes and each matrix as nested rows, so
// np.array(json.load(f)['weights']['weights_0_1']) is the matrix. Read back with every shape and
// value checked; parsed, never evaluated.

import { DataError } from '../errors.js';
import { describeValue } from './json.js';
import { decodeNpy } from './npy.js';
import { validateLayers, weightShape, weightsName, type Layers } from '../net/spec.js';

export const WEIGHTS_FORMAT = 'webgpu-backprop/weights';

export interface WeightsFile {
  layers: Layers;
  /** One matrix per pair of layers, (rows, cols) row-major, then (with biases) one vector per layer after the input. */
  weights: Float64Array[];
  bias: boolean;
}

/** Parameters as the trainers hand them around: the weight matrices, then any biases. */
export function encodeWeightsJson(layers: Layers, weights: readonly ArrayLike<number>[]): string {
  const matrices = layers.length - 1;
  const named: Record<string, number[][]> = {};
  weights.slice(0, matrices).forEach((w, l) => {
    const [rows, cols] = weightShape(layers, l);
    named[weightsName(l)] = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => w[r * cols + c]!));
  });
  const file: Record<string, unknown> = { format: WEIGHTS_FORMAT, version: 1, layers, weights: named };
  if (weights.length > matrices) {
    file.biases = Object.fromEntries(weights.slice(matrices).map((b, l) => [`bias_${l}_${l + 1}`, Array.from(b)]));
  }
  return `${JSON.stringify(file, null, 1)}\n`;
}

export function decodeWeightsJson(name: string, text: string): WeightsFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DataError(`${name}: not valid JSON (${(cause as Error).message})`);
  }
  const v = value as { format?: unknown; layers?: unknown; weights?: unknown; biases?: unknown };
  if (typeof value !== 'object' || value === null || v.format !== WEIGHTS_FORMAT) {
    throw new DataError(`${name}: not a weights file (expected "format": "${WEIGHTS_FORMAT}")`);
  }
  if (!Array.isArray(v.layers) || !v.layers.every((n) => typeof n === 'number')) {
    throw new DataError(`${name}: "layers" must be an array of layer sizes`);
  }
  let layers: Layers;
  try {
    layers = validateLayers(v.layers as number[]);
  } catch (error) {
    throw new DataError(`${name}: ${(error as Error).message}`);
  }
  if (typeof v.weights !== 'object' || v.weights === null) throw new DataError(`${name}: "weights" must map names to matrices`);
  const named = v.weights as Record<string, unknown>;
  const weights = layers.slice(1).map((_, l) => {
    const key = weightsName(l);
    const [rows, cols] = weightShape(layers, l);
    const matrix = named[key];
    if (!Array.isArray(matrix) || matrix.length !== rows) {
      throw new DataError(`${name}: ${key} must have ${rows} rows of ${cols} (layers ${layers.join(',')})`);
    }
    const out = new Float64Array(rows * cols);
    matrix.forEach((row: unknown, r) => {
      if (!Array.isArray(row) || row.length !== cols) throw new DataError(`${name}: ${key} row ${r} must have ${cols} values`);
      row.forEach((x: unknown, c) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new DataError(`${name}: ${key}[${r}][${c}] is ${describeValue(x)}, not a finite number`);
        out[r * cols + c] = x;
      });
    });
    return out;
  });
  const extra = Object.keys(named).find((k) => !layers.slice(1).some((_, l) => weightsName(l) === k));
  if (extra) throw new DataError(`${name}: unexpected matrix ${extra} for layers ${layers.join(',')}`);
  if (v.biases === undefined) return { layers, weights, bias: false };
  if (typeof v.biases !== 'object' || v.biases === null) throw new DataError(`${name}: "biases" must map names to vectors`);
  const biases = layers.slice(1).map((size, l) => {
    const key = `bias_${l}_${l + 1}`;
    const vector = (v.biases as Record<string, unknown>)[key];
    if (!Array.isArray(vector) || vector.length !== size) throw new DataError(`${name}: ${key} must have ${size} values (layers ${layers.join(',')})`);
    return Float64Array.from(vector, (x: unknown, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new DataError(`${name}: ${key}[${j}] is ${describeValue(x)}, not a finite number`);
      return x;
    });
  });
  return { layers, weights: [...weights, ...biases], bias: true };
}

/**
 * Weights from .npy files, one per matrix, as the page exports them (weights_0_1.npy, ...): taken
 * in the order of the numbers in their names, or in the order given. The layer sizes follow from
 * the shapes, which must chain: (a, b), (b, c), ... A 1-D array is a column. No biases.
 */
export function decodeWeightsNpy(files: readonly { name: string; bytes: Uint8Array }[]): WeightsFile {
  const arrays = files.map((f) => {
    const index = /weights_(\d+)_\d+/.exec(f.name)?.[1];
    return { name: f.name, index: index === undefined ? undefined : Number(index), array: decodeNpy(f.name, f.bytes) };
  });
  if (arrays.every((a) => a.index !== undefined)) arrays.sort((a, b) => a.index! - b.index!);
  const layers: number[] = [];
  arrays.forEach(({ name, array }, l) => {
    const shape = array.shape.length === 1 ? [array.shape[0]!, 1] : array.shape;
    if (shape.length !== 2) throw new DataError(`${name}: a weight matrix has 2 dimensions, this has ${array.shape.length}`);
    const [rows, cols] = shape as [number, number];
    if (l === 0) layers.push(rows);
    else if (layers[l] !== rows) throw new DataError(`${name}: has ${rows} rows, but the matrix before it has ${layers[l]} columns`);
    layers.push(cols);
    const bad = array.values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new DataError(`${name}: value ${bad} (row ${Math.floor(bad / cols)}, column ${bad % cols}) is ${array.values[bad]}, not a finite number`);
  });
  let checked: Layers;
  try {
    checked = validateLayers(layers);
  } catch (error) {
    throw new DataError(`${files.map((f) => f.name).join(', ')}: ${(error as Error).message}`);
  }
  return { layers: checked, weights: arrays.map((a) => a.array.values), bias: false };
}
