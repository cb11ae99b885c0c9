// The errors of the iterations a GPU trainer completes, kept on the GPU until they are read: at
// each iteration's end its summed error and correct count are copied into the next slot of the
// log and cleared for the next iteration, so a readback brings many iterations' errors at once.

import type { GpuContext } from '../gpu/context.js';
import type { BufferSet } from './gpuBuffers.js';
import type { IterationError } from './types.js';

/** Iterations whose errors fit in the log between readbacks. */
export const LOG_CAPACITY = 1024;

export class IterationLog {
  /** `labels`: the data is classification data, whose correct counts are kept too. */
  constructor(
    private readonly ctx: GpuContext,
    private readonly buffers: BufferSet,
    private readonly labels: boolean,
  ) {
    buffers.add(ctx.storage('errors', 2 * LOG_CAPACITY));
  }

  /** Records moving the iteration's error and correct count into slot `slot`, and clearing them. */
  end(encoder: GPUCommandEncoder, slot: number): void {
    const error = this.buffers.get('error');
    const correct = this.buffers.get('correct');
    const log = this.buffers.get('errors');
    encoder.copyBufferToBuffer(error, 0, log, slot * 8, 4);
    encoder.copyBufferToBuffer(correct, 0, log, slot * 8 + 4, 4);
    encoder.clearBuffer(error);
    encoder.clearBuffer(correct);
  }

  /** Submits `encoder` and reads the first `count` slots: the errors of iterations `first`, `first` + 1, ... */
  async read(first: number, count: number, encoder: GPUCommandEncoder): Promise<IterationError[]> {
    const log = await this.ctx.read(this.buffers.get('errors'), 0, count * 8, encoder);
    return Array.from({ length: count }, (_, slot) => {
      const entry: IterationError = { iteration: first + slot, error: log[2 * slot]! };
      if (this.labels) entry.correct = log[2 * slot + 1]!;
      return entry;
    });
  }
}
