// Export and import: weights and traces as JSON, weights as .npy for numpy; files the user picks
// are read as text or bytes and parsed, never evaluated.

import { parseCsv } from '../data/csv.js';
import type { Dataset } from '../data/dataset.js';
import { parseJsonDataset } from '../data/json.js';
import { encodeNpy } from '../data/npy.js';
import { decodeWeightsSafetensors, encodeWeightsSafetensors } from '../data/safetensors.js';
import { decodeWeightsJson, decodeWeightsNpy, encodeWeightsJson } from '../data/weightsFile.js';
import { DataError } from '../errors.js';
import { weightShape, weightsName, type Layers } from '../net/spec.js';

export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadWeightsJson(layers: Layers, weights: readonly ArrayLike<number>[]): void {
  download('weights.json', encodeWeightsJson(layers, weights), 'application/json');
}

/** One weights_l_{l+1}.npy per matrix. */
export function downloadWeightsNpy(layers: Layers, weights: readonly ArrayLike<number>[]): void {
  weights.forEach((w, l) => download(`${weightsName(l)}.npy`, encodeNpy(w, weightShape(layers, l)) as BlobPart, 'application/octet-stream'));
}

/** weights.safetensors, tensors named as torch.nn.Sequential's state_dict (src/data/safetensors.ts). */
export function downloadWeightsSafetensors(layers: Layers, weights: readonly ArrayLike<number>[]): void {
  download('weights.safetensors', encodeWeightsSafetensors(layers, weights) as BlobPart, 'application/octet-stream');
}

export interface ImportedWeights {
  layers: Layers;
  weights: Float64Array[];
}

/**
 * A weights.json or weights.safetensors, or one .npy per matrix (named weights_0_1.npy, ... or
 * taken in the order given).
 * The layer sizes follow from the shapes, which must chain: (a, b), (b, c), ...
 */
export async function importWeights(files: readonly File[]): Promise<ImportedWeights> {
  if (files.length === 0) throw new DataError('no file chosen');
  const safetensors = files.find((f) => f.name.toLowerCase().endsWith('.safetensors'));
  if (safetensors) {
    if (files.length > 1) throw new DataError('choose one .safetensors file');
    return decodeWeightsSafetensors(safetensors.name, new Uint8Array(await safetensors.arrayBuffer()));
  }
  const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  if (json) {
    if (files.length > 1) throw new DataError('choose one weights.json, or .npy files only');
    return decodeWeightsJson(json.name, await json.text());
  }
  const npy = await Promise.all(
    files.map(async (f) => {
      if (!f.name.toLowerCase().endsWith('.npy')) throw new DataError(`${f.name}: choose a weights .json or .npy file`);
      return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
    }),
  );
  const { layers, weights } = decodeWeightsNpy(npy);
  return { layers, weights };
}

/** A dataset the user picked: CSV (the last `outputs` columns are the targets) or JSON. */
export async function readDataset(file: File, outputs: number): Promise<Dataset> {
  const lower = file.name.toLowerCase();
  if (lower.endsWith('.csv')) return parseCsv(file.name, await file.text(), outputs);
  if (lower.endsWith('.json')) return parseJsonDataset(file.name, await file.text());
  throw new DataError(`${file.name}: choose a .csv or .json file`);
}
