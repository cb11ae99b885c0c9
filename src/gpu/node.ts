// WebGPU in Node through Dawn (the `webgpu` npm package). On a machine without a GPU driver, Dawn
// runs on SwiftShader, the software Vulkan driver that Debian's chromium package ships; this picks
// it automatically when no other Vulkan driver is installed. Node-only: the page uses navigator.gpu.

import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebGPUUnavailableError } from '../errors.js';
import { createGpuContext, type DeviceNeeds, type GpuContext } from './context.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function systemVulkanDrivers(): string[] {
  return ICD_DIRS.flatMap((dir) => {
    try {
      // Mesa's lavapipe is skipped: SwiftShader is the software fallback, and Debian 12's lavapipe
      // is too old for Dawn (it only prints a warning).
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json') && !f.startsWith('lvp_icd'))
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
}

/**
 * Sets the environment Dawn reads when it starts, before the first create():
 * - VK_ICD_FILENAMES, when no Vulkan driver was chosen: the installed drivers and then SwiftShader,
 *   so a real GPU is still preferred but a machine without one (or with only Mesa's lavapipe,
 *   which Debian 12 ships too old for Dawn) falls back to software; BACKPROP_ADAPTER=swiftshader
 *   forces SwiftShader alone;
 * - XDG_RUNTIME_DIR → a private directory, when unset, so SwiftShader does not print an error about it.
 */
export function prepareNodeEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  checkEnvironment(env);
  const chosen = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  if (existsSync(SWIFTSHADER_ICD)) {
    if (env.BACKPROP_ADAPTER === 'swiftshader') {
      env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
      delete env.VK_DRIVER_FILES;
    } else if (!chosen) {
      env.VK_ICD_FILENAMES = [...systemVulkanDrivers(), SWIFTSHADER_ICD].join(':');
    }
  }
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'backprop-xdg-'));
  return env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
}

/** Values BACKPROP_ADAPTER takes. */
const ADAPTER_CHOICES = ['swiftshader', 'auto'];

/**
 * Refuses, with one line, an environment that would only end in a Vulkan loader's noise or be
 * silently ignored: an unknown BACKPROP_ADAPTER, or a VK_ICD_FILENAMES whose files do not exist.
 */
export function checkEnvironment(env: NodeJS.ProcessEnv): void {
  const adapter = env.BACKPROP_ADAPTER;
  if (adapter !== undefined && adapter !== '' && !ADAPTER_CHOICES.includes(adapter)) {
    throw new WebGPUUnavailableError(`BACKPROP_ADAPTER="${adapter}" is not an adapter choice`, 'set it to swiftshader (software) or auto, or leave it unset');
  }
  for (const name of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES'] as const) {
    const files = env[name]?.split(':').filter((f) => f !== '');
    if (!files?.length || (name === 'VK_ICD_FILENAMES' && adapter === 'swiftshader')) continue;
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length === files.length) {
      throw new WebGPUUnavailableError(
        `${name} names ${missing.length === 1 ? `"${missing[0]}", which does not exist` : `${missing.length} files, none of which exists`}`,
        `unset it to let backprop choose a driver, or point it at an installed one such as SwiftShader's ${SWIFTSHADER_ICD}`,
      );
    }
  }
}

let nodeGpuPromise: Promise<GPU> | undefined;

/** The Dawn GPU object, created once per process; WebGPU's globals (GPUBufferUsage, ...) are installed. */
export function nodeGpu(): Promise<GPU> {
  nodeGpuPromise ??= (async () => {
    prepareNodeEnvironment();
    let dawn: typeof import('webgpu');
    try {
      dawn = await import('webgpu');
    } catch (cause) {
      throw new WebGPUUnavailableError(
        `the webgpu package (Dawn for Node) could not be loaded: ${(cause as Error).message}`,
        'run npm install; Dawn ships prebuilt for linux-x64, linux-arm64, macOS and Windows',
      );
    }
    Object.assign(globalThis, dawn.globals);
    return dawn.create([]);
  })();
  return nodeGpuPromise;
}

/** A GpuContext on Dawn. The hint on failure names the packages a Debian machine without a GPU needs. */
export async function createNodeGpuContext(needs: DeviceNeeds = {}): Promise<GpuContext> {
  const gpu = await nodeGpu();
  try {
    return await createGpuContext(gpu, needs);
  } catch (error) {
    if (error instanceof Error && error.name === 'AdapterUnavailableError') {
      const software = existsSync(SWIFTSHADER_ICD)
        ? 'SwiftShader is installed; check that libvulkan1 is too (apt-get install libvulkan1)'
        : 'without a GPU, install the software driver: apt-get install chromium libvulkan1';
      throw new (error.constructor as new (m: string, h: string) => Error)(
        'Dawn found no WebGPU adapter (no Vulkan driver answered)',
        software,
      );
    }
    throw error;
  }
}
