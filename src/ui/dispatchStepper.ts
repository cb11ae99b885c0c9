// One dispatch at a time, for the page: the next dispatch of the teaching plan runs alone on the
// GPU, its CPU twin on the reference, and every buffer it touched is read back beside the CPU's.
// A step back puts back what the last dispatch wrote, on both sides, bit for bit.

import type { ShadowState } from '../train/check.js';
import type { Engine } from '../train/engine.js';
import { unpadded } from '../train/gpuBuffers.js';
import type { Plan } from '../train/plan.js';
import type { IterationError, Position } from '../train/types.js';
import type { Dispatch } from '../gpu/dispatch.js';
import type { Timing } from '../gpu/timing.js';
import { bindingRows, gridOf, type BufferView, type DispatchView } from './dispatchView.js';

/** What a step back puts back: the buffers a dispatch wrote, as they were, and the view before it. */
interface Undo {
  gpu: Map<string, Float32Array> | undefined;
  cpu: Map<string, Float64Array>;
  /** Where the run stood before the dispatch, on the GPU and on the reference. */
  gpuPosition: Position | undefined;
  cpuPosition: Position;
  view: DispatchView | undefined;
  /** What finishing a batch changes beside the buffers: the weights shown, and what the shadow found. */
  weights: Float32Array[] | Float64Array[];
  shadow: ShadowState | undefined;
}

/** What the GPU's run of one dispatch gave, for the view. */
interface GpuSide {
  dispatch: Dispatch;
  timing: Timing;
  completed: IterationError | undefined;
}

export class DispatchStepper {
  /** The last dispatch run, as shown. */
  last: DispatchView | undefined;
  private undo: Undo[] = [];

  constructor(private readonly engine: Engine) {}

  /** Whether the last dispatch can be undone. */
  get canStepBack(): boolean {
    return this.undo.length > 0;
  }

  /** After whole iterations ran: nothing to show or undo. */
  forget(): void {
    this.last = undefined;
    this.undo = [];
  }

  /** Runs the next dispatch alone; its completed iteration is recorded as any other. Call inside the engine's queue. */
  async next(): Promise<DispatchView> {
    const engine = this.engine;
    const reference = engine.reference;
    const iteration = engine.where.iteration;
    const plan = reference.planFor();
    const step = plan.steps[engine.where.dispatch]!;
    const written = [...new Set(step.writes)];
    const stepper = engine.ctx ? await engine.stepper() : undefined;
    // The snapshot's copies are submitted here, before the dispatch, and read back while it runs:
    // one round trip for both (about 200 ms each in Firefox on SwiftShader).
    const saved = stepper?.snapshot(written);
    const undo: Undo = {
      gpu: undefined,
      cpu: reference.snapshot(written.filter((n) => reference.buffers.has(n))),
      gpuPosition: stepper?.where,
      cpuPosition: reference.where,
      view: this.last,
      weights: engine.weights,
      shadow: engine.shadowCheck?.state,
    };
    const cpu = engine.shadowCheck ? engine.shadowCheck.runDispatch() : reference.runDispatch();
    let completed = cpu.completed && { ...cpu.completed, iteration: cpu.completed.iteration + engine.referenceOffset };
    let gpu: GpuSide | undefined;
    /** The weights shown are this batch's end (read back, and finite). */
    let updated = false;
    /** At a batch's end on the GPU: its weights, read back with the buffers shown. */
    let weightsRead: Promise<Float32Array[]> | undefined;
    if (stepper) {
      const [run, gpuSaved] = await Promise.all([stepper.runDispatch(), saved!]);
      undo.gpu = gpuSaved;
      gpu = { dispatch: run.dispatch, timing: run.timing, completed: run.completed };
      if (completed) {
        engine.record.addReference([completed]);
        completed = { ...run.completed!, iteration: completed.iteration };
      }
      if (run.batchDone) weightsRead = stepper.readWeights();
    } else if (cpu.batchDone) {
      engine.weights = reference.weights.map((w) => Float64Array.from(w));
      updated = true;
    }
    // What it read and what it wrote (and the weights, at a batch's end), read back together: one round trip.
    const [readViews, writtenViews, weights] = await Promise.all([
      this.views(shown(step.reads.filter((n) => !step.writes.includes(n)), plan), plan),
      this.views(shown(step.writes, plan), plan, before(undo, plan)),
      weightsRead,
    ]);
    if (weights) {
      // Weights that stopped being finite are not shown or kept; the iteration's error will say why.
      updated = weights.every((w) => w.every(Number.isFinite));
      if (updated) {
        engine.weights = weights;
        engine.shadowCheck!.compareWeights(weights);
      }
    }
    if (completed) {
      engine.addIterations([completed]);
      if (updated) engine.setCheckpoint({ iteration: engine.where.iteration, weights: engine.weights });
    }
    // A step back works within an iteration: finishing one logs its error.
    this.undo = cpu.completed ? [] : [...this.undo, undo];
    const view: DispatchView = {
      step: cpu.step,
      source: gpu?.dispatch.kernel.shader ?? cpu.step.source,
      variant: gpu?.dispatch.variant,
      index: cpu.index,
      batch: cpu.batch,
      iteration,
      workgroups: gpu?.dispatch.workgroups,
      constants: gpu?.dispatch.kernel.constants,
      bound: gpu?.dispatch.bound,
      bindings: gpu ? bindingRows(gpu.dispatch, plan, engine.dataset) : [],
      uniforms: gpu?.dispatch.uniforms,
      entryPoint: gpu?.dispatch.kernel.entryPoint,
      timing: gpu?.timing,
      grid: gpu ? gridOf(gpu.dispatch, plan) : undefined,
      back: cpu.completed ? { ok: false, why: 'This dispatch finished the iteration: its error is logged. Step back works within an iteration.' } : { ok: true },
      read: readViews,
      written: writtenViews,
    };
    this.last = view;
    return view;
  }

  /** Puts back the buffers the last dispatch wrote, on the GPU and on the reference. Call inside the engine's queue. */
  async back(): Promise<void> {
    const last = this.undo.pop();
    if (!last) return;
    const engine = this.engine;
    if (last.gpu) (await engine.stepper()).restore(last.gpu, last.gpuPosition!);
    engine.reference.restore(last.cpu, last.cpuPosition);
    if (last.shadow && engine.shadowCheck) engine.shadowCheck.state = last.shadow;
    engine.weights = last.weights;
    this.last = last.view && { ...last.view, back: this.undo.length > 0 ? { ok: true } : { ok: false, why: 'Nothing to step back to in this iteration.' } };
  }

  /** Buffers as the GPU holds them now (the CPU's without one), each beside the reference's. */
  private async views(names: string[], plan: Plan, was?: ReadonlyMap<string, Float32Array | Float64Array>): Promise<BufferView[]> {
    const engine = this.engine;
    // Every buffer read at once: one round trip to the GPU, not one per buffer.
    const stepper = engine.ctx ? await engine.stepper() : undefined;
    const read = stepper ? await Promise.all(names.map((name) => stepper.readBuffer(name))) : undefined;
    return names.map((name, index) => {
      const { rows, cols } = plan.buffers.find((b) => b.name === name)!;
      const reference = engine.reference.buffers.get(name)!.slice(0, rows * cols);
      const values = read ? read[index]!.slice(0, rows * cols) : reference;
      let maxDiff = 0;
      for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(values[i]! - reference[i]!));
      const before = was?.get(name);
      return { name, rows, cols, values, reference, maxDiff, ...(before ? { before: before.slice(0, rows * cols) } : {}) };
    });
  }
}

/** The plan's own buffers among `names` (the dataset itself, inputs and targets, is not shown). */
function shown(names: readonly string[], plan: Plan): string[] {
  return [...new Set(names)].filter((n) => plan.buffers.some((b) => b.name === n));
}

/** What the dispatch's written buffers held before it, without the GPU's padding. */
function before(undo: Undo, plan: Plan): Map<string, Float32Array | Float64Array> {
  const out = new Map<string, Float32Array | Float64Array>();
  if (!undo.gpu) {
    for (const [name, values] of undo.cpu) out.set(name, values);
    return out;
  }
  for (const [name, raw] of undo.gpu) {
    const spec = plan.buffers.find((b) => b.name === name);
    if (spec) out.set(name, unpadded(raw, spec));
  }
  return out;
}
