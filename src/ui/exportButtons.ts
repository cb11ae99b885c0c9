// The page's export buttons: the weights as JSON, .npy or safetensors, the run as PyTorch (its
// starting weights, train.py beside them) or ONNX (the network as trained so far), and the trace.

import { BackpropError } from '../errors.js';
import type { ResolvedRun } from '../train/resolve.js';
import { byId } from './dom.js';
import { download, downloadWeightsJson, downloadWeightsNpy, downloadWeightsSafetensors } from './files.js';
import type { Lesson } from './lessons/lesson.js';
import type { Settings } from './settings.js';

/** What the buttons export from, read when each is pressed. */
export interface ExportSource {
  lesson(): Lesson | undefined;
  resolved(): ResolvedRun | undefined;
  settings(): Settings;
  adapterName(): string;
  /** An export that failed, in one sentence. */
  failed(text: string): void;
}

export function wireExports(source: ExportSource): void {
  const click = (id: string, action: () => unknown): void => byId(id).addEventListener('click', () => void action());
  const weights = (save: (layers: readonly number[], weights: readonly ArrayLike<number>[]) => void) => (): void => {
    const lesson = source.lesson();
    if (lesson) save(lesson.config.layers, lesson.weights);
  };
  click('export-weights', weights(downloadWeightsJson));
  click('export-npy', weights(downloadWeightsNpy));
  click('export-safetensors', weights(downloadWeightsSafetensors));
  // PyTorch gets the run from its start (its starting weights); ONNX the network as trained so far.
  const exporting = (work: (exports: typeof import('./exports.js')) => void): void => {
    import('./exports.js').then(work).catch((error: unknown) => source.failed(error instanceof BackpropError ? error.describe() : `Export failed: ${String(error)}`));
  };
  click('export-pytorch', () => {
    const run = source.resolved();
    const description = `the page's run ${location.search || "(the seed's two-layer program)"}`;
    if (run) exporting((e) => e.downloadPytorchZip({ config: run.config, dataset: run.dataset, test: run.test, weights: run.weights(), description }));
  });
  click('export-onnx', () => {
    const lesson = source.lesson();
    if (lesson) exporting((e) => e.downloadOnnx({ ...lesson.config, weights: lesson.weights }));
  });
  click('export-trace', () => {
    const lesson = source.lesson();
    if (!lesson) return;
    const trace = {
      format: 'webgpu-backprop/trace',
      version: 1,
      settings: { ...source.settings(), autorun: undefined },
      adapter: source.adapterName(),
      ...lesson.trace(),
    };
    download('trace.json', `${JSON.stringify(trace, null, 1)}\n`, 'application/json');
  });
}
