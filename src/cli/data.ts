// Where the command's data comes from: a built-in dataset by name, the embedded MNIST digits, a
// directory of IDX files, or a CSV or JSON file (whose target columns come from the output layer).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../data/csv.js';
import { IDX_FILES, idxTrainTest, type IdxFileKey } from '../data/idxSet.js';
import { parseJsonDataset } from '../data/json.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { DataError, OptionError } from '../errors.js';
import { builtinDataset } from '../train/config.js';
import type { DataSource, LoadedData } from '../train/resolve.js';
import type { CliIO } from './main.js';

/** Where `npm install` put the embedded digits (scripts/build-mnist.mjs). */
const MNIST_DIR = new URL('../../public/data/mnist/', import.meta.url);

/** Datasets that ship inside the package as IDX files, by name. */
const EMBEDDED: Record<string, URL> = { mnist: MNIST_DIR };

export function fileDataSource(io: CliIO): DataSource {
  return { load: (spec, outputSize) => loadDataset(spec, outputSize, io) };
}

async function loadDataset(spec: string, outputSize: number | undefined, io: CliIO): Promise<LoadedData> {
  if (BUILTIN_DATASETS[spec]) return { train: builtinDataset(spec) };
  const embedded = Object.hasOwn(EMBEDDED, spec) ? EMBEDDED[spec] : undefined;
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
    throw new OptionError(
      `unknown dataset "${spec}"`,
      `choose one of: ${[...Object.keys(BUILTIN_DATASETS), ...Object.keys(EMBEDDED)].join(', ')}, a directory of IDX files, or a .csv or .json file`,
    );
  }
  const text = await readFile(spec, io);
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
    files[key] = { name: join(dir, found), bytes: await io.readBytes(join(dir, found)) };
  }
  return idxTrainTest(name, files);
}

export async function readFile(path: string, io: CliIO): Promise<string> {
  try {
    return await io.readText(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new DataError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`);
  }
}
