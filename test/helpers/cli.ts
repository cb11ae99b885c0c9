// Runs the command in this process, collecting what it prints. Every in-process run of a test
// file is lent one device (a new one only when a run needs larger buffers than it allows): each
// kernel is compiled once per file, not once per run, which on SwiftShader is most of a run's time.
// A run's buffers are freed when it ends, as the command frees its own device's. The command's
// own way, a new device per run, is what the tests of the installed command (child processes) run.

import type { DeviceNeeds, GpuContext } from '../../src/gpu/context.js';
import { createNodeGpuContext } from '../../src/gpu/node.js';
import { main, nodeIO, type CliIO } from '../../src/cli/main.js';

export interface Ran {
  code: number;
  out: string[];
  err: string[];
}

let shared: GpuContext | undefined;

/** The device lent to a run: its destroy() frees the run's buffers and keeps the device. */
async function lend(needs: DeviceNeeds): Promise<GpuContext> {
  const fits = (limit: 'maxBufferSize' | 'maxStorageBufferBindingSize'): boolean => (needs[limit] ?? 0) <= shared!.limits[limit];
  if (!shared || shared.lost || !fits('maxBufferSize') || !fits('maxStorageBufferBindingSize')) {
    // Asked for as the command asks: a run too large for the adapter is refused in the same words.
    const made = await createNodeGpuContext(needs);
    shared?.destroy();
    shared = made;
  }
  const ctx = shared;
  return new Proxy(ctx, {
    get: (target, key) => {
      if (key === 'destroy') return () => target.releaseBuffers();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set: (target, key, value) => Reflect.set(target, key, value, target),
  });
}

/** The command's I/O in this process: what it prints is kept, and its device is lent. */
export function testIO(io: Partial<CliIO> = {}): CliIO {
  return { ...nodeIO(), gpu: lend, ...io };
}

export async function run(...argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, testIO({ out: (line) => out.push(line), err: (line) => err.push(line) }));
  return { code, out, err };
}
