// The peers the benchmark measures ours against, on the same adapter: TF.js with its WebGPU
// backend, and jax-js (the fastest WebGPU matmul we know of). Both look for navigator.gpu; in
// Node that is Dawn's GPU object, in a browser the browser's own.

import type * as tfType from '@tensorflow/tfjs-core';
import type * as jaxType from '@jax-js/jax';

export type Tf = typeof tfType;
export type Jax = typeof jaxType;

export interface Peers {
  tf: Tf;
  jax: Jax;
}

function provideNavigator(gpu: GPU): void {
  if (typeof navigator !== 'undefined' && navigator.gpu) return; // a browser
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'Node' }, configurable: true });
}

async function loadTf(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core alone has no gradients registered; the full tfjs package does this import.
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its WebGPU backend');
  await tf.ready();
  return tf;
}

async function loadJax(): Promise<Jax> {
  const jax = await import('@jax-js/jax');
  const devices = await jax.init();
  if (!devices.includes('webgpu')) throw new Error(`jax-js found no WebGPU device (it has ${devices.join(', ')})`);
  jax.defaultDevice('webgpu');
  return jax;
}

let loaded: Promise<Peers> | undefined;

export function loadPeers(gpu: GPU): Promise<Peers> {
  loaded ??= (async () => {
    provideNavigator(gpu);
    return { tf: await loadTf(), jax: await loadJax() };
  })();
  return loaded;
}

/** Bytes TF.js holds on the GPU now. */
export function tfGpuBytes(tf: Tf): number {
  const memory = tf.memory() as { numBytesInGPU?: number; numBytes: number };
  return memory.numBytesInGPU ?? memory.numBytes;
}
