// The records say what ran: in the fast plan, each fused matmul's dispatch names the variant the
// tuner chose, and its kernel is that variant's files and constants, not the register-blocked
// kernel the op table describes before anything is built; the timed step names it too.

import { describe, expect, test } from 'vitest';
import { datasetFromRows } from '../../src/data/dataset.js';
import { layoutOf, type Variant } from '../../src/kernels/matmulFast/variants.js';
import { seededWeights } from '../../src/net/init.js';
import { resolveConfig } from '../../src/train/config.js';
import { GpuTrainer } from '../../src/train/gpuTrainer.js';
import { useGpu } from '../helpers/gpu.js';

const gpu = useGpu();

describe('the fast plan describes the kernels that ran', () => {
  // A staged variant, whose files, constants and grid differ from the register-blocked kernel's in every way.
  const forced: [string, Variant][] = [['tiled:8', { kind: 'tiled', side: 8 }]];
  for (const [kept, variant] of forced) {
    test(`every product measured as ${kept}: the dispatch, its kernel and the timing say so`, async () => {
      const ctx = gpu();
      const before = ctx.kernelChoices;
      // A store that has "measured" every shape already, with this variant the winner.
      ctx.kernelChoices = { get: () => kept, set: () => undefined, where: 'test' };
      try {
        const rows = Array.from({ length: 100 }, (_, r) => Array.from({ length: 784 }, (_, i) => ((r * 7 + i) % 13) / 13));
        const dataset = datasetFromRows('big', rows, rows.map((_, r) => [r % 2]));
        const config = resolveConfig({ layers: [784, 128, 1], mode: 'full', iterations: 1, alpha: 0.001, seed: 1 }, dataset);
        const trainer = await GpuTrainer.create(ctx, config, dataset, seededWeights(config.layers, 1), { plan: 'fast' });
        try {
          const { plan, dispatches } = trainer.planFor(0);
          const big = dispatches.filter((d, i) => plan.steps[i]!.op === 'matmulFast' && d.uniforms!.M! * d.uniforms!.K! * d.uniforms!.N! >= 1 << 23);
          expect(big.length).toBeGreaterThan(0);
          const layout = layoutOf(ctx, variant, 100, 128);
          for (const d of big) {
            expect(d.variant).toBe(layout.name);
            expect(d.kernel.shader.sources!.map((s) => s.name)).toEqual([...layout.directives, { name: 'relu' }, ...layout.shaders].map((s) => s.name));
            expect(d.kernel.constants).toMatchObject(layout.constants);
          }
          // One round after the warm-up is enough to see which variant each row names.
          const timed = await trainer.timeBatch(0, 1);
          expect(timed.every((r) => r.timing.samples === 1)).toBe(true);
          expect(timed.filter((r) => r.variant === layout.name).length).toBe(big.length);
        } finally {
          trainer.destroy();
        }
      } finally {
        ctx.kernelChoices = before;
      }
    });
  }
});
