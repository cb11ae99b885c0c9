// The GPU buffers of a run, made from the plan's buffer spec: the dataset and its schedule
// (inputs, targets, order, batch table, shifts), then every buffer the plan names, padded as the
// plan lays it out, the parameters uploaded into their padded places. Readback takes the padding
// out again, by the same spec. And the plan's dispatches, built once, bound to those buffers.

import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch } from '../gpu/dispatch.js';
import { batchTable } from '../kernels/gather.js';
import type { BufferSpec } from '../ops/op.js';
import { parameterNames, type TrainConfig } from './config.js';
import { fastPlan, planOptions, type Plan } from './plan.js';
import type { Schedule } from './schedule.js';

/** Buffers by name, destroyed together. */
export class BufferSet {
  private readonly map = new Map<string, GPUBuffer>();
  constructor(private readonly ctx: GpuContext) {}

  add(buffer: GPUBuffer, name = buffer.label): GPUBuffer {
    this.map.set(name, buffer);
    return buffer;
  }

  get(name: string): GPUBuffer {
    const buffer = this.map.get(name);
    if (!buffer) throw new Error(`the plan names a buffer that was not made: ${name}`);
    return buffer;
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  get names(): string[] {
    return [...this.map.keys()];
  }

  destroy(): void {
    for (const buffer of this.map.values()) this.ctx.destroyBuffer(buffer);
    this.map.clear();
  }
}

/**
 * The dataset on the GPU and what the gather reads with it: the examples' order and shifts for
 * `epoch`, and the batch table (each batch's first row and size, and the plan's row widths).
 */
export function addDataBuffers(ctx: GpuContext, set: BufferSet, dataset: Dataset, schedule: Schedule, plan: Plan, epoch: number, prefix = ''): void {
  set.add(ctx.storage(`${prefix}inputs`, dataset.inputs), 'inputs');
  set.add(ctx.storage(`${prefix}targets`, dataset.targets), 'targets');
  const order = set.add(ctx.createBuffer(`${prefix}order`, dataset.rows * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST), 'order');
  ctx.device.queue.writeBuffer(order, 0, schedule.order(epoch));
  const layerWidth = plan.buffers.find((b) => b.name === 'layer_0')!.stride;
  const goalWidth = plan.buffers.find((b) => b.name === 'goal')!.stride;
  const imageWidth = schedule.config.shift > 0 ? dataset.imageWidth! : 0;
  set.add(batchTable(ctx, `${prefix}batches`, schedule.batches, dataset.inputSize, dataset.outputSize, layerWidth, goalWidth, imageWidth), 'batches');
  const shifting = schedule.config.shift > 0;
  const shifts = set.add(ctx.createBuffer(`${prefix}shifts`, Math.max(1, shifting ? dataset.rows : 1) * 8, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST), 'shifts');
  if (shifting) ctx.device.queue.writeBuffer(shifts, 0, schedule.shifts(epoch));
}

/** Every buffer a plan names (but those already in `set`), zeroed; the two 16-byte stand-ins for unused bindings. */
export function addPlanBuffers(ctx: GpuContext, set: BufferSet, plan: Plan, prefix = ''): void {
  for (const spec of plan.buffers) if (!set.has(spec.name)) set.add(ctx.storage(`${prefix}${spec.name}`, spec.height * spec.stride), spec.name);
  if (!set.has('unused')) set.add(ctx.storage(`${prefix}unused`, 4), 'unused');
  if (!set.has('unusedBias')) set.add(ctx.storage(`${prefix}unusedBias`, 4), 'unusedBias');
}

/** Uploads the parameters (weights, then biases) into their padded places. */
export function uploadParameters(ctx: GpuContext, set: BufferSet, plan: Plan, config: TrainConfig, parameters: readonly ArrayLike<number>[]): void {
  parameterNames(config.layers, config.bias).forEach((name, i) => {
    const spec = plan.buffers.find((b) => b.name === name)!;
    ctx.device.queue.writeBuffer(set.get(name), 0, padded(parameters[i]!, spec));
  });
}

/** rows × cols values in a zeroed (height × stride) matrix: a buffer's GPU layout. */
export function padded(values: ArrayLike<number>, spec: BufferSpec): Float32Array {
  const out = new Float32Array(spec.height * spec.stride);
  for (let r = 0; r < spec.rows; r++) for (let c = 0; c < spec.cols; c++) out[r * spec.stride + c] = values[r * spec.cols + c]!;
  return out;
}

/** The logical (rows, cols) matrix out of a buffer read back in its GPU layout. */
export function unpadded(raw: Float32Array, spec: BufferSpec): Float32Array {
  if (spec.stride === spec.cols) return raw.slice(0, spec.rows * spec.cols);
  const out = new Float32Array(spec.rows * spec.cols);
  for (let r = 0; r < spec.rows; r++) out.set(raw.subarray(r * spec.stride, r * spec.stride + spec.cols), r * spec.cols);
  return out;
}

/** The bytes a network and dataset need of one storage binding and of one buffer: for requesting the device. */
export function deviceNeeds(config: TrainConfig, dataset: Dataset): { maxStorageBufferBindingSize: number; maxBufferSize: number } {
  // The fast plan's padded buffers are the largest either plan makes.
  const plan = fastPlan(config.layers, config.batchSize, config.alpha, planOptions(config, dataset));
  let largest = Math.max(dataset.inputs.byteLength, dataset.targets.byteLength, dataset.rows * 8);
  for (const spec of plan.buffers) largest = Math.max(largest, spec.height * spec.stride * 4);
  return { maxStorageBufferBindingSize: largest, maxBufferSize: largest };
}

/** A plan and the dispatches built for its steps. */
export interface Built {
  plan: Plan;
  dispatches: Dispatch[];
}

/** The dispatch of every step of a plan, bound to the run's buffers. */
export async function build(ctx: GpuContext, plan: Plan, buffers: BufferSet, dataset: Dataset): Promise<Built> {
  const env = { ctx, buffer: (name: string) => buffers.get(name), dataset };
  const dispatches: Dispatch[] = [];
  for (const step of plan.steps) dispatches.push(await step.gpu(env));
  return { plan, dispatches };
}
