// Runs the command in this process, collecting what it prints. Every in-process run of a test
// file is lent one device, so each kernel is compiled once per file rather than once per run
// (on SwiftShader, most of a run's time); a new one is made only when a run needs larger buffers
// than it allows, or the last run left it lost or with an error nobody caught. A run's buffers are
// freed when it ends, as the command frees its own device's. The command's own way, a new device
// per run, is what the tests of the installed command (child processes) run.

import type { DeviceNeeds, GpuContext } from '../../src/gpu/context.js';
import { createNodeGpuContext } from '../../src/gpu/node.js';
import { main, nodeIO, type CliIO } from '../../src/cli/main.js';

export interface Ran {
  code: number;
  out: string[];
  err: string[];
}

let shared: GpuContext | undefined;

/** Whether the shared device can take a run: not lost, no error left over, buffers large enough. */
function usable(ctx: GpuContext, needs: DeviceNeeds): boolean {
  try {
    ctx.assertHealthy();
  } catch {
    return false;
  }
  return (needs.maxBufferSize ?? 0) <= ctx.limits.maxBufferSize && (needs.maxStorageBufferBindingSize ?? 0) <= ctx.limits.maxStorageBufferBindingSize;
}

/** The device lent to a run (GpuContext.lent: its destroy() frees the run's buffers and keeps the device). */
async function lend(needs: DeviceNeeds): Promise<GpuContext> {
  if (!shared || !usable(shared, needs)) {
    // Asked for as the command asks: a run too large for the adapter is refused in the same words.
    const made = await createNodeGpuContext(needs);
    shared?.destroy();
    shared = made;
  }
  return shared.lent();
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
