// Placeholder page: trains the seed's two-layer program on navigator.gpu and prints the seed's log.
import { createGpuContext } from '../gpu/context.js';
import { BackpropError } from '../errors.js';
import { builtinDataset, EXAMPLES, initialWeights, resolveConfig } from '../train/config.js';
import { errorLine } from '../train/format.js';
import { deviceNeeds } from '../train/gpuTrainer.js';
import { train } from '../train/run.js';

const status = document.getElementById('status')!;
const log = document.getElementById('log')!;

async function run(): Promise<void> {
  const example = EXAMPLES['two-layer']!;
  const dataset = builtinDataset(example.dataset);
  const config = resolveConfig({ ...example }, dataset);
  const ctx = await createGpuContext(navigator.gpu, deviceNeeds(config, dataset));
  const result = await train({
    config,
    dataset,
    weights: initialWeights(config.layers, config.seed),
    ctx,
    check: true,
    onLog: (entry) => (log.textContent += `${errorLine(entry.error, true)}\n`),
  });
  status.textContent = `Trained on ${ctx.adapterName}: ${result.steps} steps; GPU ${result.check?.ok ? '=' : '≠'} CPU (largest difference ${result.check?.maxDiff.toExponential(2)}).`;
  ctx.destroy();
}

run().catch((error: unknown) => {
  status.textContent = error instanceof BackpropError ? error.describe() : String(error);
});
