// A dataset is two matrices, as in the seed: what we know (inputs, one example per row) and what
// we want to know (targets). Values are float32, the exact numbers the GPU sees; the float64 CPU
// reference reads the same values, so any difference it reports is the kernels' own.

import { DataError } from '../errors.js';

export interface Dataset {
  name: string;
  rows: number;
  inputSize: number;
  outputSize: number;
  /** (rows, inputSize), row-major. */
  inputs: Float32Array;
  /** (rows, outputSize), row-major. */
  targets: Float32Array;
  /** For classification data: the class of each row (its target is the one-hot row). */
  labels?: Uint8Array;
  /** For images: their width in pixels (the height is inputSize / width). */
  imageWidth?: number;
  /** What each input and each target is called, where the data says (the streetlights: left, middle, right; walk). */
  inputNames?: readonly string[];
  outputNames?: readonly string[];
  /** What the inputs and the targets are, in words, where the data has its own (the streetlights: the lights; walk or stop). */
  about?: DataAbout;
}

/** What a dataset's inputs and targets are, for a sentence about a batch: "what we know (the lights)". */
export interface DataAbout {
  readonly inputs: string;
  readonly targets: string;
}

/** The dataset's own words, or what its shape says: pixels for images, a one-hot class for labels. */
export function aboutData(dataset: Pick<Dataset, 'about' | 'labels' | 'imageWidth'>): DataAbout {
  return (
    dataset.about ?? {
      inputs: dataset.imageWidth ? 'the pixels' : 'the inputs',
      targets: dataset.labels ? 'the class, one-hot' : 'the targets',
    }
  );
}

/** A dataset of images and their class labels: inputs are pixels / 255, targets one-hot rows. */
export function classificationDataset(
  name: string,
  pixels: Uint8Array,
  width: number,
  labels: Uint8Array,
  classes: number,
  imageWidth?: number,
): Dataset {
  const rows = labels.length;
  if (rows === 0) throw new DataError(`${name}: no examples`);
  if (pixels.length !== rows * width) {
    throw new DataError(`${name}: ${pixels.length / width} images but ${rows} labels; each image needs a label`);
  }
  const inputs = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) inputs[i] = pixels[i]! / 255;
  const targets = new Float32Array(rows * classes);
  labels.forEach((label, r) => {
    if (label >= classes) throw new DataError(`${name}: label ${label} at row ${r + 1}, but there are ${classes} classes`);
    targets[r * classes + label] = 1;
  });
  return { name, rows, inputSize: width, outputSize: classes, inputs, targets, labels, ...(imageWidth ? { imageWidth } : {}) };
}

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Builds a dataset from nested arrays, checking shapes and refusing NaN and Infinity. */
export function datasetFromRows(name: string, inputs: readonly (readonly number[])[], targets: readonly (readonly number[])[]): Dataset {
  if (inputs.length === 0) throw new DataError(`${name}: no examples`);
  if (inputs.length !== targets.length) {
    throw new DataError(`${name}: ${inputs.length} input rows but ${targets.length} target rows; each example needs both`);
  }
  const inputSize = inputs[0]!.length;
  const outputSize = targets[0]!.length;
  if (inputSize === 0 || outputSize === 0) throw new DataError(`${name}: examples need at least one input and one target value`);
  const flat = (rows: readonly (readonly number[])[], width: number, what: string): Float32Array => {
    const out = new Float32Array(rows.length * width);
    rows.forEach((row, r) => {
      if (row.length !== width) {
        throw new DataError(`${name}: ${what} row ${r + 1} has ${row.length} values, expected ${width} like the first row`);
      }
      row.forEach((v, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new DataError(`${name}: ${what} row ${r + 1}, column ${c + 1} is ${String(v)}; only finite numbers can be trained on`);
        }
        if (Math.abs(v) > FLOAT32_MAX) {
          throw new DataError(`${name}: ${what} row ${r + 1}, column ${c + 1} is ${v}, outside float32's range (±3.4e38), which the GPU computes in`, 'scale the data down');
        }
        out[r * width + c] = v;
      });
    });
    return out;
  };
  return {
    name,
    rows: inputs.length,
    inputSize,
    outputSize,
    inputs: flat(inputs, inputSize, 'input'),
    targets: flat(targets, outputSize, 'target'),
  };
}

/** Checks that the network's first and last layer sizes fit the data's columns. */
export function checkFits(dataset: Dataset, layers: readonly number[]): void {
  const first = layers[0];
  const last = layers[layers.length - 1];
  if (first !== dataset.inputSize) {
    throw new DataError(
      `the network's input layer has ${first} units but ${dataset.name} has ${dataset.inputSize} input values per example`,
      `use --layers ${dataset.inputSize},...,${dataset.outputSize}`,
    );
  }
  if (last !== dataset.outputSize) {
    throw new DataError(
      `the network's output layer has ${last} units but ${dataset.name} has ${dataset.outputSize} target values per example`,
      `use --layers ${dataset.inputSize},...,${dataset.outputSize}`,
    );
  }
}

/** The row of a flattened matrix as a plain array. */
export function row(matrix: Float32Array | Float64Array, width: number, r: number): number[] {
  return Array.from(matrix.subarray(r * width, (r + 1) * width));
}
