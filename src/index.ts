// webgpu-backprop: gradient descent and backpropagation in WebGPU compute shaders, checked by a
// float64 CPU reference. This entry works in browsers and Node; in Node, get a device from
// 'webgpu-backprop/node'.

export * from './errors.js';
export { createGpuContext, describeAdapter, GpuContext, type BufferStats, type DeviceNeeds } from './gpu/context.js';
export { encodeDispatch, type Dispatch, type Kernel, type Shader } from './gpu/pipeline.js';
export { MT19937 } from './net/mt19937.js';
export { ONE_LAYER_WEIGHTS, seededWeights } from './net/init.js';
export { parseLayers, validateLayers, layerName, deltaName, weightsName, weightDeltaName, type Layers } from './net/spec.js';
export { datasetFromRows, checkFits, type Dataset } from './data/dataset.js';
export { streetlights, streetlights4, BUILTIN_DATASETS } from './data/streetlights.js';
export { parseCsv } from './data/csv.js';
export { parseJsonDataset } from './data/json.js';
export * as cpu from './cpu/ops.js';
export { CpuNetwork } from './cpu/network.js';
export {
  EXAMPLES,
  DEFAULT_EXAMPLE,
  MODES,
  builtinDataset,
  checkWeights,
  example,
  initialWeights,
  resolveConfig,
  type ConfigInput,
  type Example,
  type Mode,
  type TrainConfig,
} from './train/config.js';
export { teachingPlan, fastPlan, planOf, planOptions, type Plan, type PlanKind, type PlanOptions } from './train/plan.js';
export type { Step, StepRole, BufferSpec, BufferRole } from './ops/op.js';
export { ACTIVATIONS, activationOf, type Activation } from './ops/activations/index.js';
export { GpuTrainer } from './train/gpuTrainer.js';
export type { IterationError, Position, Checkpoint, EpochReport, CheckSummary, Evaluation } from './train/types.js';
export { deviceNeeds } from './train/gpuBuffers.js';
export { createTrainer, resolvePlan, PLAN_CHOICES, type PlanChoice, type Trainer } from './train/trainer.js';
export { ResidentTrainer } from './train/residentTrainer.js';
export { CpuExecutor } from './train/cpuExecutor.js';
export { Schedule, batches, epochOrder, epochShifts, alphaAt, type Batch } from './train/schedule.js';
export { resolveRun, parseNumber, type RunSettings, type DataSource, type ResolvedRun } from './train/resolve.js';
export { ShadowCheck, stepBound, type StepCheck } from './train/check.js';
export { train, isLogged, type TrainRun, type TrainResult } from './train/run.js';
export { Engine, type EngineSpec, type Drive } from './train/engine.js';
export { errorLine, pyFloat } from './train/format.js';
export * from './verify/tolerance.js';
