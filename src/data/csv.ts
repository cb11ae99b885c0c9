// CSV: one example per row, the input columns then the target columns, an optional header row.
// Parsed as data, never evaluated.

import { DataError } from '../errors.js';
import { datasetFromRows, type Dataset } from './dataset.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cells(line: string): string[] {
  return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
}

/**
 * outputSize target columns are taken from the right of each row (1 when not given); the rest are inputs.
 */
export function parseCsv(name: string, text: string, outputSize = 1): Dataset {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() !== '');
  if (lines.length === 0) throw new DataError(`${name}: the file is empty`);
  let body = lines;
  const first = cells(lines[0]!.l);
  if (first.every((c) => !NUMBER.test(c))) {
    body = lines.slice(1);
    if (body.length === 0) throw new DataError(`${name}: the file has a header row but no examples`);
  }
  const width = cells(body[0]!.l).length;
  if (width <= outputSize) {
    throw new DataError(`${name}: rows have ${width} columns, too few for ${outputSize} target column(s) and at least one input`);
  }
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (const { l, n } of body) {
    const row = cells(l);
    if (row.length !== width) throw new DataError(`${name}: line ${n} has ${row.length} columns, expected ${width} like the first row`);
    const values = row.map((c, i) => {
      if (!NUMBER.test(c)) {
        const shown = c === '' ? 'empty' : `"${c.slice(0, 20)}"`;
        throw new DataError(`${name}: line ${n}, column ${i + 1} is ${shown}, not a number`);
      }
      const v = Number(c);
      if (!Number.isFinite(v)) throw new DataError(`${name}: line ${n}, column ${i + 1} is ${c}, too large for float32`);
      if (Math.abs(v) > 3.4028234663852886e38) throw new DataError(`${name}: line ${n}, column ${i + 1} is ${c}, too large for float32`);
      return v;
    });
    inputs.push(values.slice(0, width - outputSize));
    targets.push(values.slice(width - outputSize));
  }
  return datasetFromRows(name, inputs, targets);
}
