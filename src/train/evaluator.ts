// Forward passes over a test set with a trainer's weights: its own copy of the data and its own
// activations (so training state is untouched), the plan's forward steps (input, forward, loss,
// metric) for every batch in one submit, then one readback of the summed error and correct count.

import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import { encodeDispatch, type Dispatch } from '../gpu/dispatch.js';
import { batchStride } from '../kernels/gather.js';
import { FORWARD_ROLES } from '../ops/op.js';
import { parameterNames, type TrainConfig } from './config.js';
import { addDataBuffers, addPlanBuffers, BufferSet } from './gpuBuffers.js';
import { planOf, planOptions, type Plan, type PlanKind } from './plan.js';
import { Schedule } from './schedule.js';
import { appendAll } from './cursor.js';

/** Rows per evaluation batch at most. */
const EVAL_ROWS = 1000;

export class Evaluator {
  private constructor(
    readonly ctx: GpuContext,
    readonly data: Dataset,
    private readonly buffers: BufferSet,
    private readonly batches: { dispatches: Dispatch[]; offset: number }[],
    private readonly owned: GPUBuffer[],
    private readonly result: GPUBuffer,
  ) {}

  /** `parameter` gives the trainer's weight and bias buffers, which are read, never written. */
  static async create(ctx: GpuContext, config: TrainConfig, data: Dataset, kind: PlanKind, parameter: (name: string) => GPUBuffer): Promise<Evaluator> {
    const rows = Math.min(EVAL_ROWS, data.rows);
    // In order and unshifted: the schedule and the plan both read it from this one config.
    const evaluation = { ...config, batchSize: rows, shuffle: false, shift: 0 };
    const schedule = new Schedule(evaluation, data);
    const options = { ...planOptions(evaluation, data), accuracy: true };
    const forward = (plan: Plan): Plan => ({ ...plan, steps: plan.steps.filter((s) => FORWARD_ROLES.includes(s.role)) });
    const full = forward(planOf(kind, config.layers, rows, config.alpha, options));
    const buffers = new BufferSet(ctx);
    const shared = new Set(parameterNames(config.layers, config.bias));
    const owned: GPUBuffer[] = [];
    try {
      return await ctx.scoped(async () => {
        addDataBuffers(ctx, buffers, data, schedule, full, 0, 'eval.');
        // The evaluator's buffers, except the parameters, which are the trainer's.
        addPlanBuffers(ctx, buffers, { ...full, buffers: full.buffers.filter((b) => !shared.has(b.name)) }, 'eval.');
        const lookup = (name: string): GPUBuffer => (shared.has(name) ? parameter(name) : buffers.get(name));
        const result = buffers.add(ctx.storage('eval.result', 2), 'result');
        const stride = batchStride(ctx);
        const batches: { dispatches: Dispatch[]; offset: number }[] = [];
        for (const [b, batch] of schedule.batches.entries()) {
          if (b > 0 && batch.rows === rows) {
            batches.push({ dispatches: batches[0]!.dispatches, offset: b * stride });
            continue;
          }
          const plan = batch.rows === rows ? full : forward(planOf(kind, config.layers, batch.rows, config.alpha, options));
          const dispatches: Dispatch[] = [];
          for (const step of plan.steps) dispatches.push(await step.gpu({ ctx, buffer: lookup, dataset: data }));
          for (const d of dispatches) appendAll(owned, d.owned);
          batches.push({ dispatches, offset: b * stride });
        }
        return new Evaluator(ctx, data, buffers, batches, owned, result);
      });
    } catch (error) {
      buffers.destroy();
      for (const b of owned) ctx.destroyBuffer(b);
      throw error;
    }
  }

  async run(): Promise<{ error: number; correct: number; rows: number }> {
    const encoder = this.ctx.device.createCommandEncoder({ label: 'Evaluator.run' });
    const pass = encoder.beginComputePass({ label: 'Evaluator.batches' });
    for (const { dispatches, offset } of this.batches) for (const d of dispatches) encodeDispatch(pass, d, d.dynamic ? [offset] : undefined);
    pass.end();
    const error = this.buffers.get('error');
    const correct = this.buffers.get('correct');
    encoder.copyBufferToBuffer(error, 0, this.result, 0, 4);
    encoder.copyBufferToBuffer(correct, 0, this.result, 4, 4);
    encoder.clearBuffer(error);
    encoder.clearBuffer(correct);
    const [e, c] = await this.ctx.read(this.result, 0, 8, encoder);
    return { error: e!, correct: c!, rows: this.data.rows };
  }

  destroy(): void {
    this.buffers.destroy();
    for (const b of this.owned) this.ctx.destroyBuffer(b);
  }
}
