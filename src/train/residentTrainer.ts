// The resident plan: for small networks, one invocation runs many steps of the whole training
// loop per dispatch (see shaders/train_small.wgsl). A run of the seed's program is a handful of
// dispatches instead of thousands, and nothing is read back but the logged errors.

import code from '../../shaders/train_small.wgsl?raw';
import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import { composeShaders, type Shader, shaderFile } from '../gpu/shader.js';
import { kernel } from '../gpu/kernel.js';
import { bindGroup } from '../gpu/dispatch.js';
import { uniformBytes, type Reflection } from '../gpu/wgsl.js';
import { activationOf } from '../ops/activations/index.js';
import { weightShape } from '../net/spec.js';
import { checkWeights, type TrainConfig } from './config.js';
import { Cursor } from './cursor.js';
import type { IterationError, Position } from './types.js';
import { batches } from './schedule.js';

export const trainSmallShader: Shader = shaderFile('train_small', code);

/** The shader's fixed capacities (its MAX_ constants). */
export const SMALL_LIMITS = { layers: 8, units: 128, weights: 2048 };

/** Steps per dispatch at most, so no single dispatch runs long enough to trip a GPU watchdog. */
const MAX_STEPS_PER_DISPATCH = 2048;

/** Iteration errors logged between readbacks at most. */
const LOG_CAPACITY = 1024;

/** Whether train_small.wgsl can hold this network. */
export function fitsResident(layers: readonly number[]): boolean {
  let weights = 0;
  for (let l = 0; l + 1 < layers.length; l++) weights += layers[l]! * layers[l + 1]!;
  return layers.length <= SMALL_LIMITS.layers && layers.reduce((a, b) => a + b, 0) <= SMALL_LIMITS.units && weights <= SMALL_LIMITS.weights;
}

export class ResidentTrainer {
  private readonly cursor: Cursor;
  private destroyed = false;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: TrainConfig,
    readonly dataset: Dataset,
    private readonly buffers: {
      params: GPUBuffer;
      sizes: GPUBuffer;
      inputs: GPUBuffer;
      targets: GPUBuffer;
      weights: GPUBuffer;
      state: GPUBuffer;
      errors: GPUBuffer;
    },
    private readonly pipeline: GPUComputePipeline,
    private readonly group: GPUBindGroup,
    private readonly reflection: Reflection,
  ) {
    this.cursor = new Cursor(batches(dataset.rows, config.batchSize).length);
  }

  static async create(
    ctx: GpuContext,
    config: TrainConfig,
    dataset: Dataset,
    weights: readonly ArrayLike<number>[],
  ): Promise<ResidentTrainer> {
    const { layers } = config;
    checkWeights(layers, weights);
    if (!fitsResident(layers)) {
      throw new RangeError(`layers ${layers.join(',')} are too big for train_small.wgsl (at most ${SMALL_LIMITS.units} units and ${SMALL_LIMITS.weights} weights)`);
    }
    const made: GPUBuffer[] = [];
    const keep = (b: GPUBuffer): GPUBuffer => (made.push(b), b);
    try {
      return await ctx.scoped(async () => {
        const packed = new Float32Array(weights.reduce((n, w) => n + w.length, 0));
        let at = 0;
        for (const w of weights) {
          packed.set(Array.from(w), at);
          at += w.length;
        }
        const buffers = {
          params: keep(ctx.createBuffer('params', 32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST)),
          sizes: keep(ctx.createBuffer('sizes', layers.length * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST)),
          inputs: keep(ctx.storage('inputs', dataset.inputs)),
          targets: keep(ctx.storage('targets', dataset.targets)),
          weights: keep(ctx.storage('weights', packed)),
          state: keep(ctx.createBuffer('state', 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST)),
          errors: keep(ctx.storage('errors', LOG_CAPACITY)),
        };
        ctx.device.queue.writeBuffer(buffers.sizes, 0, Uint32Array.from(layers));
        ctx.device.queue.writeBuffer(buffers.state, 0, new Uint32Array(4));
        const k = await kernel(ctx, composeShaders(activationOf(config.activation).shader, trainSmallShader));
        const group = bindGroup(ctx, 'train_small', k, buffers);
        return new ResidentTrainer(ctx, config, dataset, buffers, k.pipeline, group, k.reflection);
      });
    } catch (error) {
      for (const b of made) ctx.destroyBuffer(b);
      throw error;
    }
  }

  get where(): Position {
    return this.cursor.position;
  }

  get batchesPerIteration(): number {
    return this.cursor.batchesPerIteration;
  }

  /** Runs `steps` steps in as few dispatches as the watchdog cap allows; reads back only the errors. */
  async run(steps: number): Promise<IterationError[]> {
    this.assertUsable();
    const results: IterationError[] = [];
    let remaining = steps;
    while (remaining > 0) {
      // No more iterations per readback than the error log holds.
      const room = LOG_CAPACITY * this.batchesPerIteration - this.cursor.batch;
      const chunk = Math.min(remaining, room);
      const first = this.cursor.iteration;
      let completed = 0;
      for (let s = 0; s < chunk; s++) if (this.cursor.finishBatch()) completed++;
      const { device } = this.ctx;
      device.queue.writeBuffer(this.buffers.state, 8, new Uint32Array([0]));
      // All but the last dispatch go on their own; the last shares its submit with the readback.
      await this.ctx.scoped(() => {
        for (let done = 0; done + MAX_STEPS_PER_DISPATCH < chunk; done += MAX_STEPS_PER_DISPATCH) {
          device.queue.writeBuffer(this.buffers.params, 0, this.params(MAX_STEPS_PER_DISPATCH));
          const encoder = device.createCommandEncoder({ label: 'ResidentTrainer.run' });
          this.encode(encoder);
          device.queue.submit([encoder.finish()]);
        }
      });
      device.queue.writeBuffer(this.buffers.params, 0, this.params(chunk % MAX_STEPS_PER_DISPATCH || MAX_STEPS_PER_DISPATCH));
      remaining -= chunk;
      if (completed > 0) {
        const encoder = device.createCommandEncoder({ label: 'ResidentTrainer.run' });
        this.encode(encoder);
        const errors = await this.ctx.read(this.buffers.errors, 0, completed * 4, encoder);
        errors.forEach((error, i) => results.push({ iteration: first + i, error }));
      } else {
        await this.ctx.scoped(() => {
          const encoder = device.createCommandEncoder({ label: 'ResidentTrainer.run' });
          this.encode(encoder);
          device.queue.submit([encoder.finish()]);
        });
        await this.ctx.idle();
      }
    }
    return results;
  }

  runIterations(count: number): Promise<IterationError[]> {
    return this.run(this.cursor.stepsForIterations(count));
  }

  private encode(encoder: GPUCommandEncoder): void {
    const pass = encoder.beginComputePass({ label: 'train_small' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.group);
    pass.dispatchWorkgroups(1);
    pass.end();
  }

  private params(steps: number): ArrayBuffer {
    const { config, dataset } = this;
    return uniformBytes(
      this.reflection,
      'params',
      {
        layer_count: config.layers.length,
        steps,
        batch_size: config.batchSize,
        examples: dataset.rows,
        input_size: dataset.inputSize,
        output_size: dataset.outputSize,
        alpha: config.alpha,
      },
      'shaders/train_small.wgsl',
    );
  }

  async readWeights(): Promise<Float32Array[]> {
    this.assertUsable();
    const packed = await this.ctx.read(this.buffers.weights);
    const out: Float32Array[] = [];
    let at = 0;
    for (let l = 0; l + 1 < this.config.layers.length; l++) {
      const [rows, cols] = weightShape(this.config.layers, l);
      out.push(packed.slice(at, at + rows * cols));
      at += rows * cols;
    }
    return out;
  }

  /** Waits until everything submitted has run. */
  idle(): Promise<void> {
    return this.ctx.idle();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of Object.values(this.buffers)) this.ctx.destroyBuffer(b);
  }

  private assertUsable(): void {
    if (this.destroyed) throw new Error('this ResidentTrainer was destroyed');
    this.ctx.assertHealthy();
  }
}
