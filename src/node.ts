// The Node entry: everything in the main entry, plus a device from Dawn (the `webgpu` package),
// with SwiftShader picked automatically on a machine without a GPU.

export * from './index.js';
export { createNodeGpuContext, nodeGpu, prepareNodeEnvironment, SWIFTSHADER_ICD } from './gpu/node.js';
