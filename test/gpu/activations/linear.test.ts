// The linear activation (src/ops/activations/linear.ts, shaders/linear.wgsl): no activation at all.
// Its kernels, whole runs on every plan, the seed's two-layer program with relu removed against
// numpy, and the lesson's argument: under full descent a linear hidden layer ends where no hidden
// layer ends, at the least-squares fit of the four streetlights.

import { describe, expect, test } from 'vitest';
import { linear } from '../../../src/ops/activations/linear.js';
import { streetlights4 } from '../../../src/data/streetlights.js';
import { seededWeights } from '../../../src/net/init.js';
import { resolveConfig } from '../../../src/train/config.js';
import { CpuExecutor } from '../../../src/train/cpuExecutor.js';
import { main } from '../../../src/cli/main.js';
import { testIO } from '../../helpers/cli.js';
import { numpy } from '../../fixtures/numpy.js';
import { activationSuite } from '../../helpers/activationSuite.js';

activationSuite(linear, { fixture: numpy.two_layer_linear, input: {}, exact: true });

describe('a linear hidden layer gains nothing', () => {
  const full = { mode: 'full', iterations: 300 } as const;

  test("backprop train --cpu --activation linear --mode full prints numpy's lines", async () => {
    const out: string[] = [];
    const code = await main(['train', '--cpu', '--activation', 'linear', '--mode', 'full', '--iterations', '300'], testIO({ out: (line) => out.push(line), err: () => undefined }));
    expect(code).toBe(0);
    expect(out).toEqual(numpy.two_layer_linear_full.printed);
  });

  test('3-4-1 linear ends within 1% of 3-1, at the least-squares error 1.0; 3-4-1 relu goes to ~0', () => {
    const dataset = streetlights4();
    const end = (layers: number[], activation: string): number => {
      const config = resolveConfig({ layers, alpha: 0.2, seed: 1, activation, ...full }, dataset);
      return new CpuExecutor(config, dataset, seededWeights(config.layers, 1)).runIterations(config.iterations).at(-1)!.error;
    };
    const single = end([3, 1], 'relu');
    const stacked = end([3, 4, 1], 'linear');
    expect(Math.abs(stacked - single) / single).toBeLessThan(0.01);
    expect(single).toBeCloseTo(1, 3);
    expect(end([3, 4, 1], 'relu')).toBeLessThan(0.01);
  });
});
