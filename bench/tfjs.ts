// TF.js with its WebGPU backend, on the same Dawn adapter as ours, in the same process.

import type * as tfType from '@tensorflow/tfjs-core';

export type Tf = typeof tfType;

let loaded: Promise<Tf> | undefined;

export function tfjs(gpu: GPU): Promise<Tf> {
  loaded ??= (async () => {
    // The WebGPU backend looks for navigator.gpu; in Node that is Dawn's GPU object.
    Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true });
    const tf = await import('@tensorflow/tfjs-core');
    // tfjs-core alone has no gradients registered; the full tfjs package does this import.
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its WebGPU backend');
    await tf.ready();
    return tf;
  })();
  return loaded;
}

/** Bytes TF.js holds on the GPU now. */
export function tfGpuBytes(tf: Tf): number {
  const memory = tf.memory() as { numBytesInGPU?: number; numBytes: number };
  return memory.numBytesInGPU ?? memory.numBytes;
}
