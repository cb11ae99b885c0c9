// A training and a test set from the four IDX files of MNIST-style data (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, gzipped or not), as the
// original MNIST, Fashion-MNIST and this project's embedded digits are distributed.

import { DataError } from '../errors.js';
import { classificationDataset, type Dataset } from './dataset.js';
import { maybeGunzip } from './gzip.js';
import { idxSizeLimit, parseIdx } from './idx.js';

export interface TrainTest {
  train: Dataset;
  test: Dataset;
  classes: number;
}

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type IdxFileKey = keyof typeof IDX_FILES;

/** Builds the two sets from the four files' bytes (each gzipped or not); `name` names the data in errors. */
export async function idxTrainTest(name: string, files: Record<IdxFileKey, { name: string; bytes: Uint8Array }>): Promise<TrainTest> {
  const read = async (key: IdxFileKey) => {
    const file = files[key];
    return parseIdx(file.name, await maybeGunzip(file.name, file.bytes, idxSizeLimit(file.name)));
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read('trainImages'),
    read('trainLabels'),
    read('testImages'),
    read('testLabels'),
  ]);
  for (const [images, key] of [
    [trainImages, 'trainImages'],
    [testImages, 'testImages'],
  ] as const) {
    if (images.dims.length !== 3) throw new DataError(`${files[key].name}: images have 3 dimensions (count, rows, columns), this has ${images.dims.length}`);
  }
  for (const [labels, key] of [
    [trainLabels, 'trainLabels'],
    [testLabels, 'testLabels'],
  ] as const) {
    if (labels.dims.length !== 1) throw new DataError(`${files[key].name}: labels have 1 dimension, this has ${labels.dims.length}`);
  }
  const width = trainImages.dims[1]! * trainImages.dims[2]!;
  if (testImages.dims[1]! * testImages.dims[2]! !== width) {
    throw new DataError(`${name}: training images are ${trainImages.dims.slice(1).join('×')} but test images ${testImages.dims.slice(1).join('×')}`);
  }
  let classes = 0;
  for (const label of [...trainLabels.data, ...testLabels.data]) classes = Math.max(classes, label + 1);
  return {
    train: classificationDataset(`${name} (train)`, trainImages.data, width, trainLabels.data, classes, trainImages.dims[2]),
    test: classificationDataset(`${name} (test)`, testImages.data, width, testLabels.data, classes, testImages.dims[2]),
    classes,
  };
}
