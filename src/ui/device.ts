// The page's GPU device over its life: asked for once, made again with higher limits when a
// bigger network needs them, replaced after a loss; a loss while nothing runs is reported at once.

import type { Dataset } from '../data/dataset.js';
import { BackpropError, DeviceLostError } from '../errors.js';
import { pageChoices } from '../gpu/choices.js';
import { createGpuContext, type GpuContext } from '../gpu/context.js';
import type { TrainConfig } from '../train/config.js';
import { deviceNeeds } from '../train/gpuBuffers.js';
import { byId } from './dom.js';

export class PageDevice {
  ctx: GpuContext | undefined;
  /** Why there is no GPU, when there is none. */
  problem: string | undefined;
  private replacing = false;

  /** `onLost` is called for a loss that no operation in flight will report itself. */
  constructor(
    private readonly onLost: (error: DeviceLostError) => void,
    private readonly busy: () => boolean,
  ) {}

  /** Asks for the first device; without WebGPU the badge says so and `problem` says why. */
  async connect(): Promise<void> {
    const adapter = byId('adapter');
    try {
      this.ctx = remembering(await createGpuContext(navigator.gpu, { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 }));
      this.watch(this.ctx);
      adapter.textContent = `GPU: ${this.ctx.adapterName}`;
      adapter.dataset.backend = 'gpu';
    } catch (error) {
      this.ctx = undefined;
      this.problem = error instanceof BackpropError ? error.describe() : String(error);
      adapter.textContent = 'CPU only (no WebGPU)';
      adapter.dataset.backend = 'cpu';
    }
  }

  /**
   * A context whose limits fit `config` and `dataset`: the current one, or a new one with higher
   * limits (`release` first frees what the old device holds).
   */
  async contextFor(config: TrainConfig, dataset: Dataset, release: () => Promise<void>): Promise<GpuContext | undefined> {
    if (!this.ctx) return undefined;
    const needs = deviceNeeds(config, dataset);
    const { limits } = this.ctx;
    if (needs.maxStorageBufferBindingSize <= limits.maxStorageBufferBindingSize && needs.maxBufferSize <= limits.maxBufferSize) return this.ctx;
    await release();
    return this.replace(config, dataset);
  }

  /** A fresh device for `config` (after a loss, or for higher limits); the old one is destroyed. */
  async replace(config: TrainConfig, dataset: Dataset): Promise<GpuContext> {
    this.replacing = true;
    this.ctx?.destroy();
    this.ctx = remembering(await createGpuContext(navigator.gpu, deviceNeeds(config, dataset)));
    this.replacing = false;
    this.watch(this.ctx);
    return this.ctx;
  }

  /** A device lost while nothing runs (a driver reset, say) is reported at once. */
  private watch(ctx: GpuContext): void {
    void ctx.device.lost.then((info) => {
      if (ctx !== this.ctx || (info.reason === 'destroyed' && this.replacing)) return;
      if (!this.busy()) this.onLost(new DeviceLostError(info.reason, info.message));
    });
  }
}

/** The page keeps the kernel variants it measured in localStorage: each shape is timed once per adapter. */
function remembering(ctx: GpuContext): GpuContext {
  ctx.kernelChoices = pageChoices();
  return ctx;
}
