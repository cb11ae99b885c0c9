import { expect, test } from 'vitest';
import { errorLine, pyFloat } from '../src/train/format.js';
import { numpy } from './fixtures/numpy.js';

test("pyFloat matches Python's str(float)", () => {
  for (const [x, text] of numpy.str) expect(pyFloat(x), `str(${x})`).toBe(text);
  expect(pyFloat(NaN)).toBe('nan');
  expect(pyFloat(Infinity)).toBe('inf');
  expect(pyFloat(-Infinity)).toBe('-inf');
  expect(pyFloat(-0)).toBe('-0.0');
});

test("pyFloat(x, float32) matches numpy's str(np.float32(x))", () => {
  for (const [x, text] of numpy.str_float32) expect(pyFloat(x, true), `str(np.float32(${x}))`).toBe(text);
});

test("errorLine is the seed's print", () => {
  expect(numpy.two_layer.printed.map((line) => errorLine(Number(line.slice(6)), false))).toEqual(numpy.two_layer.printed);
});
