// A network as the seed builds it: layer sizes, ReLU between layers, a linear output, no bias.
// [3, 1] is the seed's single-layer net, [3, 4, 1] its two-layer net. Names follow the seed:
// layer_0 is the input, weights_0_1 connects layer_0 to layer_1, layer_1_delta is layer_1's delta.

import { OptionError } from '../errors.js';

export type Layers = readonly number[];

/** Checks that every size is a whole number ≥ 1 and that there are at least an input and an output. */
export function validateLayers(layers: readonly number[]): Layers {
  if (layers.length < 2) {
    throw new OptionError(`layers must name at least an input and an output size, got [${layers.join(',')}]`, 'for example --layers 3,4,1');
  }
  layers.forEach((size, i) => {
    if (!Number.isInteger(size) || size < 1) {
      throw new OptionError(`layer ${i} has size ${size}; every layer size must be a whole number of at least 1`);
    }
  });
  return layers;
}

/** Parses "3,4,1". */
export function parseLayers(text: string): Layers {
  const parts = text.split(',').map((s) => s.trim());
  const sizes = parts.map((s) => (/^[+-]?\d*\.?\d+$/.test(s) ? Number(s) : NaN));
  const bad = sizes.findIndex((n) => Number.isNaN(n));
  if (bad >= 0) throw new OptionError(`--layers: "${parts[bad]}" is not a number`, 'for example --layers 3,4,1');
  return validateLayers(sizes);
}

/** weights_l_{l+1} is (layers[l], layers[l + 1]). */
export const weightShape = (layers: Layers, l: number): [number, number] => [layers[l]!, layers[l + 1]!];

export const layerName = (l: number): string => `layer_${l}`;
export const deltaName = (l: number): string => `layer_${l}_delta`;
export const weightsName = (l: number): string => `weights_${l}_${l + 1}`;
export const weightDeltaName = (l: number): string => `weight_delta_${l}_${l + 1}`;

/** A layer size rounded up to whole vec4s: the row length of the fast plan's padded buffers. */
export const pad4 = (n: number): number => Math.ceil(n / 4) * 4;
