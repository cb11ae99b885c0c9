// The seed's two datasets. Each row is one observation of the three lights (1 = on); the target
// says whether the people walked (1) or stopped (0).

import { datasetFromRows, type Dataset } from './dataset.js';

/**
 * The first program's six observations: the middle light correlates perfectly with walking, so a
 * single layer learns it.
 */
/** The lights, left to right, and what the people did. */
const NAMES = { inputNames: ['left', 'middle', 'right'], outputNames: ['walk'], about: { inputs: 'the lights', targets: 'walk or stop' } } as const;

export function streetlights(): Dataset {
  const data = datasetFromRows(
    'streetlights',
    [
      [1, 0, 1],
      [0, 1, 1],
      [0, 0, 1],
      [1, 1, 1],
      [0, 1, 1],
      [1, 0, 1],
    ],
    [[0], [1], [0], [1], [1], [0]],
  );
  return { ...data, ...NAMES };
}

/**
 * The two-layer program's four observations: no single light correlates with walking (each has as
 * much up as down pressure), so it takes a hidden layer to find the pattern.
 */
export function streetlights4(): Dataset {
  const data = datasetFromRows(
    'streetlights-4',
    [
      [1, 0, 1],
      [0, 1, 1],
      [0, 0, 1],
      [1, 1, 1],
    ],
    [[1], [1], [0], [0]],
  );
  return { ...data, ...NAMES };
}

export const BUILTIN_DATASETS: Record<string, () => Dataset> = {
  streetlights,
  'streetlights-4': streetlights4,
};
