// Tiny image data as MNIST's IDX files hold it: n 2×2 images and their labels (3 classes), for
// the tests of image data whose point is not the images (epoch lines, the progress bar, parsing).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const idxImages = (n: number): Uint8Array => Uint8Array.from([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 2, 0, 0, 0, 2, ...Array(n * 4).fill(0).map((_, i) => (i * 37) % 256)]);
export const idxLabels = (n: number): Uint8Array => Uint8Array.from([0, 0, 8, 1, 0, 0, 0, n, ...Array(n).fill(0).map((_, i) => i % 3)]);

/** A new directory of IDX files: `train` images to train on, `test` to test on. */
export function idxFiles(train: number, test: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-idx-'));
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxImages(train));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxLabels(train));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxImages(test));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxLabels(test));
  return dir;
}
