// The device and everything made on it: adapter and limits, error scopes, labelled buffers
// (counted, so leaks show), uploads that refuse NaN and Infinity, and readback through staging
// buffers. Knows nothing of networks.

import { NO_EDITS, type ShaderEdits } from './shader.js';
import { memoryChoices, type ChoiceStore } from './choices.js';
import {
  AdapterUnavailableError,
  DataError,
  DeviceLostError,
  GpuError,
  LimitExceededError,
  WebGPUUnavailableError,
} from '../errors.js';

/** What a workload needs of the device; the device is requested with exactly this, within the adapter's limits. */
export interface DeviceNeeds {
  /** The largest buffer bound as storage, in bytes. */
  maxStorageBufferBindingSize?: number;
  /** The largest buffer, in bytes. */
  maxBufferSize?: number;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/**
 * The browser engine a user agent string names, with its WebGPU implementation: what the badge
 * says where the adapter hides its name (Firefox returns empty adapter info).
 */
export function browserEngine(userAgent: string): string | undefined {
  if (/Firefox\//.test(userAgent)) return 'Firefox (wgpu)';
  if (/Chrom(e|ium)\//.test(userAgent)) return 'Chromium (Dawn)';
  if (/Safari\//.test(userAgent)) return 'Safari (WebKit)';
  return undefined;
}

/** "Google SwiftShader ...", or where the adapter says nothing, the engine's name. */
export function describeAdapter(info: AdapterDescription, userAgent = typeof navigator === 'undefined' ? '' : (navigator.userAgent ?? '')): string {
  const parts = [info.vendor, info.architecture, info.device || info.description].filter((s) => s);
  if (parts.length) return parts.join(' ');
  const engine = browserEngine(userAgent);
  return engine ? `${engine}, adapter not named by the browser` : 'unknown adapter';
}

const NEED_NAMES = ['maxStorageBufferBindingSize', 'maxBufferSize'] as const;

/**
 * Requests an adapter and a device from `gpu` (navigator.gpu in a browser, the Dawn binding in Node).
 * Limits are raised to what `needs` asks for, never beyond the adapter; a need beyond the adapter is
 * refused here, before any GPU work, naming the limit.
 */
export async function createGpuContext(gpu: GPU | undefined, needs: DeviceNeeds = {}): Promise<GpuContext> {
  if (!gpu) {
    throw new WebGPUUnavailableError(
      'WebGPU is not available here (navigator.gpu is undefined)',
      'use a WebGPU browser (Chrome or Edge 113+, Safari 26+, Firefox 141+) over https or http://localhost',
    );
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new AdapterUnavailableError(
      'WebGPU found no adapter (requestAdapter() returned null)',
      'on Linux without a GPU install Debian\'s libvulkan1 and chromium (SwiftShader); in Chrome enable WebGPU or use --enable-unsafe-webgpu',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of NEED_NAMES) {
    const needed = needs[name];
    if (needed === undefined) continue;
    const available = adapter.limits[name];
    if (needed > available) throw new LimitExceededError(name, needed, available, 'this network and dataset');
    if (needed > defaultLimit(name)) requiredLimits[name] = needed;
  }
  // Workgroup sizes are chosen from device.limits; asking for the adapter's maxima costs nothing.
  for (const name of ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY'] as const) {
    requiredLimits[name] = adapter.limits[name];
  }
  // Where the adapter has them: timestamp queries time each dispatch for the page, and subgroups let
  // the fast matmul's quad variant share reads between lanes. Nothing needs either.
  const requiredFeatures = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webgpu-backprop' });
  const info = adapter.info;
  return new GpuContext(device, {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
  });
}

// The spec's defaults, below which no limit needs requesting.
function defaultLimit(name: (typeof NEED_NAMES)[number]): number {
  return name === 'maxBufferSize' ? 268435456 : 134217728;
}

export interface BufferStats {
  count: number;
  bytes: number;
}

export class GpuContext {
  readonly limits: GPUSupportedLimits;
  readonly adapterName: string;
  /** Kernel variants measured fastest on this adapter, by shape (src/gpu/choices.ts). */
  kernelChoices: ChoiceStore = memoryChoices();
  /** Edited shader files that kernels built through this context compile in place of shaders/ (none here: see withEdits). */
  readonly edits: ShaderEdits = NO_EDITS;
  private readonly live = new Map<GPUBuffer, number>();
  private readonly stagingPool: GPUBuffer[] = [];
  private lostInfo: GPUDeviceLostInfo | undefined;
  private uncaptured: string | undefined;
  private destroyed = false;

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
  ) {
    this.limits = device.limits;
    this.adapterName = describeAdapter(adapter);
    void device.lost.then((info) => {
      this.lostInfo = info;
    });
    device.addEventListener('uncapturederror', (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.uncaptured ??= message;
    });
  }

  /**
   * This context with shader edits (the page's shader lab): kernels built through it compile the
   * edited files; everything else (the device, its buffers, their accounting) is this context's.
   */
  withEdits(edits: ShaderEdits): GpuContext {
    if (edits.size === 0) return this;
    return this.view({ edits: new Map(edits) });
  }

  /**
   * This context lent for one run: destroy() frees the buffers made so far and keeps the device and
   * the kernels compiled on it, for the next run (the tests' in-process commands share one device).
   */
  lent(): GpuContext {
    return this.view({ destroy: () => this.releaseBuffers() });
  }

  /** This context with some members replaced; everything else, state included, is this context's. */
  private view(replaced: Partial<Pick<GpuContext, 'edits' | 'destroy'>>): GpuContext {
    return new Proxy(this, {
      get: (target, key) => {
        if (Object.hasOwn(replaced, key)) return replaced[key as keyof typeof replaced];
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
      set: (target, key, value) => Reflect.set(target, key, value, target),
    });
  }

  /** Whether dispatches can be timed on the GPU (the timestamp-query feature). */
  get hasTimestamps(): boolean {
    return this.device.features.has('timestamp-query');
  }

  /** Whether shaders may use subgroup and quad operations (the subgroups feature). */
  get hasSubgroups(): boolean {
    return this.device.features.has('subgroups' as GPUFeatureName);
  }

  /** Throws if the device was lost or an error escaped every error scope since the last check. */
  assertHealthy(): void {
    if (this.lostInfo) throw new DeviceLostError(this.lostInfo.reason, this.lostInfo.message.trim());
    if (this.uncaptured) {
      const message = this.uncaptured;
      this.uncaptured = undefined;
      throw new GpuError('uncaptured', message);
    }
  }

  get lost(): boolean {
    return this.lostInfo !== undefined;
  }

  /**
   * After an operation failed: was the device lost? device.lost settles a moment after the loss,
   * so a failure caused by it is given that moment before being reported as something else.
   */
  private async lostAfterFailure(): Promise<boolean> {
    if (this.lostInfo) return true;
    const lost = await Promise.race([
      this.device.lost.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
    ]);
    return lost || this.lostInfo !== undefined;
  }

  /**
   * Runs `work` inside validation, out-of-memory and internal error scopes, so any error it causes
   * surfaces as a GpuError instead of silent zeros.
   */
  async scoped<T>(work: () => T | Promise<T>): Promise<T> {
    this.assertHealthy();
    const { device } = this;
    device.pushErrorScope('internal');
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let result: T;
    try {
      result = await work();
    } finally {
      const scopes = await Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]).catch(
        () => [null, null, null] as const,
      );
      const [validation, oom, internal] = scopes;
      if (validation || oom || internal) await this.lostAfterFailure();
      this.assertHealthy();
      if (validation) throw new GpuError('validation', validation.message);
      if (oom) throw new GpuError('out-of-memory', oom.message);
      if (internal) throw new GpuError('internal', internal.message);
    }
    return result;
  }

  /** Creates a labelled buffer, refusing sizes beyond the device's limits before asking the GPU. */
  createBuffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    this.assertHealthy();
    // A zero-size binding is invalid; a 4-byte floor keeps empty shapes bindable.
    const bytes = Math.max(4, Math.ceil(size / 4) * 4);
    if (bytes > this.limits.maxBufferSize) {
      throw new LimitExceededError('maxBufferSize', bytes, this.limits.maxBufferSize, `buffer ${label}`);
    }
    if (usage & GPUBufferUsage.STORAGE && bytes > this.limits.maxStorageBufferBindingSize) {
      throw new LimitExceededError(
        'maxStorageBufferBindingSize',
        bytes,
        this.limits.maxStorageBufferBindingSize,
        `buffer ${label}`,
      );
    }
    const buffer = this.device.createBuffer({ label, size: bytes, usage });
    this.live.set(buffer, bytes);
    return buffer;
  }

  /** A storage buffer holding `data` as float32. NaN and Infinity are refused: WGSL may assume they never occur. */
  storage(label: string, data: ArrayLike<number> | number, extraUsage = 0): GPUBuffer {
    const length = typeof data === 'number' ? data : data.length;
    const buffer = this.createBuffer(
      label,
      length * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    );
    if (typeof data !== 'number') this.writeF32(buffer, data, label);
    return buffer;
  }

  /** Writes float32 values, refusing non-finite ones. */
  writeF32(buffer: GPUBuffer, data: ArrayLike<number>, label = buffer.label, offsetBytes = 0): void {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new DataError(`${label}[${i}] is ${values[i]}; only finite numbers can be uploaded to the GPU`);
      }
    }
    if (values.length > 0) this.device.queue.writeBuffer(buffer, offsetBytes, values);
  }

  /** A uniform buffer holding `words` (u32 and f32 mixed, as the shader's struct lays them out). */
  uniform(label: string, words: ArrayBuffer): GPUBuffer {
    const buffer = this.createBuffer(label, words.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, words);
    return buffer;
  }

  destroyBuffer(buffer: GPUBuffer): void {
    if (this.live.delete(buffer)) buffer.destroy();
  }

  /** Live buffers made through this context, staging buffers included. */
  stats(): BufferStats {
    let bytes = 0;
    for (const size of this.live.values()) bytes += size;
    return { count: this.live.size, bytes };
  }

  /**
   * Copies `size` bytes of `source` from `offset` into a staging buffer and reads them as float32.
   * `encoder`, when given, holds work recorded but not yet submitted: the copy is added to it, so
   * the work and its readback cost one submit. Each read owns its staging buffer until it is done, so reads may
   * overlap; staging buffers are pooled, so a long run allocates none after its first reads.
   */
  async read(
    source: GPUBuffer,
    offset = 0,
    size = source.size - offset,
    encoder: GPUCommandEncoder = this.device.createCommandEncoder({ label: 'GpuContext.read' }),
  ): Promise<Float32Array> {
    this.assertHealthy();
    const staging = this.takeStaging(size);
    try {
      await this.scoped(() => {
        encoder.copyBufferToBuffer(source, offset, staging, 0, size);
        this.device.queue.submit([encoder.finish()]);
      });
      try {
        await staging.mapAsync(GPUMapMode.READ, 0, size);
      } catch (cause) {
        await this.lostAfterFailure();
        this.assertHealthy();
        throw new GpuError('validation', `reading back ${source.label} failed: ${String(cause)}`);
      }
      const copy = new Float32Array(staging.getMappedRange(0, size).slice(0));
      staging.unmap();
      return copy;
    } finally {
      // Pooled only while it is still this context's: buffers released meanwhile stay released.
      if (!this.lost && !this.destroyed && this.live.has(staging)) this.stagingPool.push(staging);
      else this.destroyBuffer(staging);
    }
  }

  private takeStaging(size: number): GPUBuffer {
    const index = this.stagingPool.findIndex((b) => b.size >= size && b.size <= Math.max(1024, size * 4));
    if (index >= 0) return this.stagingPool.splice(index, 1)[0]!;
    return this.createBuffer('GpuContext.staging', size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  /** Waits until the GPU has finished everything submitted so far. */
  async idle(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.assertHealthy();
  }

  /** Frees every buffer made through this context, staging buffers included; the device stays, with the kernels compiled on it. */
  releaseBuffers(): void {
    for (const buffer of this.live.keys()) buffer.destroy();
    this.live.clear();
    this.stagingPool.length = 0;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.releaseBuffers();
    this.device.destroy();
  }
}
