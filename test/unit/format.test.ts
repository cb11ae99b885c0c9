import { describe, expect, test } from 'vitest';
import { describeAdapter } from '../../src/gpu/context.js';
import { compilerMessage } from '../../src/gpu/wgsl.js';
import { errorLine, pyFloat } from '../../src/train/format.js';
import { numpy } from '../fixtures/numpy.js';

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

describe('the adapter badge', () => {
  test('names the adapter, or where the browser hides it (Firefox), the engine', () => {
    const hidden = { vendor: '', architecture: '', device: '', description: '' };
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader', device: 'Subzero', description: '' }, '')).toBe('google swiftshader Subzero');
    expect(describeAdapter(hidden, 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0')).toBe('Firefox (wgpu), adapter not named by the browser');
    expect(describeAdapter(hidden, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36')).toBe('Chromium (Dawn), adapter not named by the browser');
    expect(describeAdapter(hidden, 'Node.js/20')).toBe('unknown adapter');
  });
});

describe('compiler messages', () => {
  test("naga's multi-line message becomes its one line; Tint's is kept", () => {
    const naga = "\nShader 'lab: shaders/relu.wgsl' parsing error: expected `;`, found \"}\"\n   ┌─ wgsl:14:1\n   │\n14 │ }\n   │ ^ expected `;`\n\n";
    expect(compilerMessage(naga)).toBe('expected `;`, found "}"');
    expect(compilerMessage("unresolved identifier 'activation'")).toBe("unresolved identifier 'activation'");
  });
});
