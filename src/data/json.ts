// JSON datasets: {"inputs": [[...], ...], "targets": [[...], ...]}; a target row may be a single
// number. Parsed with JSON.parse, never evaluated.

import { DataError } from '../errors.js';
import { datasetFromRows, type Dataset } from './dataset.js';

export function parseJsonDataset(name: string, text: string): Dataset {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DataError(`${name}: not valid JSON (${(cause as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || !('inputs' in value) || !('targets' in value)) {
    throw new DataError(`${name}: expected an object with "inputs" and "targets" arrays`);
  }
  const { inputs, targets } = value as { inputs: unknown; targets: unknown };
  const matrix = (v: unknown, what: string): number[][] => {
    if (!Array.isArray(v)) throw new DataError(`${name}: "${what}" must be an array of rows`);
    return v.map((row: unknown, r) => {
      const cells = typeof row === 'number' ? [row] : row;
      if (!Array.isArray(cells)) throw new DataError(`${name}: ${what} row ${r + 1} is not an array of numbers`);
      return cells.map((c: unknown, i) => {
        if (typeof c !== 'number') throw new DataError(`${name}: ${what} row ${r + 1}, column ${i + 1} is ${describeValue(c)}, not a number`);
        return c;
      });
    });
  };
  return datasetFromRows(name, matrix(inputs, 'inputs'), matrix(targets, 'targets'));
}

/** A JSON value named for a message without printing it whole (it may be nested thousands deep). */
export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}
