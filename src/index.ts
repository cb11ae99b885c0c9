// webgpu-backprop: gradient descent and backpropagation in WebGPU compute shaders, checked by a
// float64 CPU reference. This entry works in browsers and Node; in Node, get a device from
// 'webgpu-backprop/node'. Each group below is what a user needs for one job.

/** Typed errors, each with what to do about it (`describe()` gives one line). */
export * from './errors.js';

// --- training: settings → a run → its result ---------------------------------------------------

/** TrainConfig from what a user gives (`resolveConfig`), the seed's examples, their starting weights. */
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
/** Settings as typed (the command's options, the page's URL) to config, data and weights in one step. */
export { resolveRun, parseNumber, type RunSettings, type DataSource, type ResolvedRun } from './train/resolve.js';
/** A whole run in one call: to the end, recovering a lost device; the result holds the errors, weights and check. */
export { train, type TrainRun, type TrainResult } from './train/run.js';
/** Whether the seed prints an iteration; the checks that stop a diverging run, and what they keep. */
export { isLogged, assertFinite, dataPeak, describeCheckpoint, lastCheckpoint } from './train/divergence.js';
/** The run engine beneath train(), for a driver of its own (a page that draws between chunks). */
export { Engine, type EngineSpec, type Drive } from './train/engine.js';
/** The records a run hands around. */
export type { IterationError, Position, Checkpoint, EpochReport, CheckSummary, Evaluation } from './train/types.js';
/** The seed's printout: `Error:` lines as numpy prints them, floats as Python writes them. */
export { errorLine, pyFloat } from './train/format.js';

// --- the trainers and their plans -----------------------------------------------------------------

/** Which trainer a plan name means ('auto' picks), and what the engine needs of one. */
export { createTrainer, resolvePlan, PLAN_CHOICES, type PlanChoice, type Trainer } from './train/trainer.js';
/** The GPU trainer on the teaching or the fast plan; the resident loop for small nets; the CPU reference. */
export { GpuTrainer } from './train/gpuTrainer.js';
export { ResidentTrainer } from './train/residentTrainer.js';
export { CpuTrainer } from './train/cpuTrainer.js';
export { CpuExecutor } from './train/cpuExecutor.js';
/** A plan: one batch's steps (records of the op table) and the buffers they name. */
export { teachingPlan, fastPlan, planOf, planOptions, type Plan, type PlanKind, type PlanOptions } from './train/plan.js';
export type { Step, StepRole, BufferSpec, BufferRole } from './ops/op.js';
/** The hidden layers' activations (relu, sigmoid, tanh, linear): WGSL, float64 and numpy text each. */
export { ACTIVATIONS, activationOf, type Activation } from './ops/activations/index.js';
/** The epoch schedule: batches, order, image shifts, alpha per epoch. */
export { Schedule, batches, epochOrder, epochShifts, alphaAt, type Batch } from './train/schedule.js';
/** What a run needs of a device's limits, asked for before the device is made. */
export { deviceNeeds } from './train/gpuBuffers.js';

// --- checking ----------------------------------------------------------------------------------------

/** The CPU shadow: the same steps in float64, weights compared under a bound that grows per step. */
export { ShadowCheck, stepBound, type StepCheck } from './train/check.js';
/** The tolerance policy: exact, ULP and reduction bounds, and how a comparison is described. */
export * from './verify/tolerance.js';
/** The plain-loop float64 reference, written to be read, and its primitives. */
export { CpuNetwork } from './cpu/network.js';
export * as cpu from './cpu/ops.js';

// --- data and networks -------------------------------------------------------------------------------

export { datasetFromRows, checkFits, type Dataset } from './data/dataset.js';
export { streetlights, streetlights4, BUILTIN_DATASETS } from './data/streetlights.js';
export { parseCsv } from './data/csv.js';
export { parseJsonDataset } from './data/json.js';
/** numpy's np.random.seed(1) weights, bit for bit (MT19937), and the seed's first program's weights. */
export { MT19937 } from './net/mt19937.js';
export { ONE_LAYER_WEIGHTS, seededWeights } from './net/init.js';
/** Layer sizes and the seed's names for layers, deltas and weights. */
export { parseLayers, validateLayers, layerName, deltaName, weightsName, weightDeltaName, type Layers } from './net/spec.js';

// --- the GPU side ------------------------------------------------------------------------------------

/** A device and everything done with it: buffers, readback, error scopes, the lab's edits. */
export { createGpuContext, describeAdapter, GpuContext, type BufferStats, type DeviceNeeds } from './gpu/context.js';
/** WGSL files, composed by what their headers require. */
export { composeShaders, shaderFile, type Shader, type ShaderEdits } from './gpu/shader.js';
export { kernel, type Kernel } from './gpu/kernel.js';
export { encodeDispatch, type Dispatch } from './gpu/dispatch.js';
/** The fast matmul: any variant, or the one measured fastest for a shape on this adapter. */
export { matmulFast, type FastMatmulArgs } from './kernels/matmulFast/build.js';
export { matmulFastFor } from './kernels/matmulFast/tuner.js';
export { candidates, type Variant, type FastForm, type Epilogue } from './kernels/matmulFast/variants.js';
/** Where measured kernel choices are kept. */
export { fixedChoices, memoryChoices, type ChoiceStore } from './gpu/choices.js';
