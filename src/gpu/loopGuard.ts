// Loop guards for edited kernels (the page's shader lab). WebGPU cannot cancel a dispatch, so a
// student's loop that never ends would hold the GPU (on a software adapter, a CPU core) for as
// long as the tab is open. As code playgrounds do for JavaScript (loop-protect), every loop of an
// edited file counts its trips and breaks out past LOOP_GUARD_LIMIT, recording where in a one-word
// buffer that the page reads after the dispatch. The guard is written on the loop's own line, so
// line numbers stay the student's, and it is in the WGSL the page shows: nothing is hidden. The
// files in shaders/ run as written.

import type { GpuContext } from './context.js';
import type { ShaderEdits } from './shader.js';

/**
 * Trips of one loop, per entry into it, past which it is stopped: far above any correct kernel of
 * the lab (the longest, the matmul's sum, makes one trip per input column: a few thousand at most),
 * and low enough that 64 invocations reach it well inside the 4 s watchdog on a software adapter
 * under load (at 1,000,000 the output delta's loop did not, in CI).
 */
export const LOOP_GUARD_LIMIT = 100_000;

/** The WGSL name of the buffer the guards write to (bound after the module's own bindings). */
export const LOOP_GUARD = 'loop_guard';

/** Where a guard tripped: the edited file and the line of its loop. */
export interface LoopTrip {
  file: string;
  line: number;
}

/** Edited files in a fixed order: a guard's number says which file by its place here. */
const order = (edits: ShaderEdits): string[] => [...edits.keys()].sort();

/** A guard's number: the loop's line and its file's place (64 files at most). */
const guardId = (line: number, file: number): number => line * 64 + (file % 64);

/**
 * `code` with a guard in each loop (`for`, `while`, `loop`): a counter declared just before the
 * loop and, first thing in its body, counted up, and past the limit the trip recorded and the loop
 * left. Comments are skipped.
 */
export function guardLoops(code: string, file: number): string {
  const inserts: { at: number; text: string }[] = [];
  let line = 1;
  let n = 0;
  const skip = (i: number): number => {
    // Past a comment starting at i (WGSL's block comments nest), or i itself.
    if (code.startsWith('//', i)) {
      const end = code.indexOf('\n', i);
      return end < 0 ? code.length : end;
    }
    if (code.startsWith('/*', i)) {
      let depth = 0;
      let j = i;
      while (j < code.length) {
        if (code.startsWith('/*', j)) (depth++, (j += 2));
        else if (code.startsWith('*/', j)) {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else {
          if (code[j] === '\n') line++;
          j++;
        }
      }
      return j;
    }
    return i;
  };
  /** The index of the `{` that opens the body of the loop whose keyword ends at `from`, or -1. */
  const body = (from: number): number => {
    let depth = 0;
    for (let j = from; j < code.length; j++) {
      const past = skip(j);
      if (past !== j) {
        j = past - 1;
        continue;
      }
      const c = code[j];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === '{' && depth === 0) return j;
      else if (c === ';' && depth === 0) return -1;
    }
    return -1;
  };
  for (let i = 0; i < code.length; i++) {
    const past = skip(i);
    if (past !== i) {
      i = past - 1;
      continue;
    }
    if (code[i] === '\n') {
      line++;
      continue;
    }
    const word = /^(for|while|loop)\b/.exec(code.slice(i, i + 6));
    if (!word || /[\w.]/.test(code[i - 1] ?? '')) continue;
    const open = body(i + word[1]!.length);
    if (open < 0) continue;
    const name = `guard_${n++}`;
    inserts.push({ at: i, text: `var ${name}: u32 = 0u; ` });
    inserts.push({ at: open + 1, text: ` ${name} += 1u; if (${name} > ${LOOP_GUARD_LIMIT}u) { atomicMax(&${LOOP_GUARD}[0], ${guardId(line, file)}u); break; }` });
  }
  let out = code;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}

/** An edited file's text as it compiles: its loops guarded, its place among the edits saying which file a trip is in. */
export function guardedEdit(name: string, code: string, edits: ShaderEdits): string {
  return guardLoops(code, order(edits).indexOf(name));
}

/**
 * A module whose code has guards declares their buffer once, at its end (WGSL's declarations may
 * come in any order), at the binding after its own (bindings are numbered without gaps).
 */
export function declareLoopGuard(code: string): string {
  if (!code.includes(`&${LOOP_GUARD}[0]`)) return code;
  const binding = Math.max(-1, ...[...code.matchAll(/@binding\((\d+)\)/g)].map((m) => Number(m[1]))) + 1;
  return `${code}\n// The loop guards' record (see the lines with guard_): the line of a loop stopped past ${LOOP_GUARD_LIMIT} trips.\n@group(0) @binding(${binding}) var<storage, read_write> ${LOOP_GUARD}: array<atomic<u32>, 1>;\n`;
}

const buffers = new WeakMap<GPUDevice, GPUBuffer>();

/** The device's guard record, made on first use, zeroed. */
export function loopGuardBuffer(ctx: GpuContext): GPUBuffer {
  let buffer = buffers.get(ctx.device);
  if (!buffer) {
    buffer = ctx.device.createBuffer({ label: LOOP_GUARD, size: 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    buffers.set(ctx.device, buffer);
  }
  return buffer;
}

/** Whether a guard tripped since the last look, and where; the record is zeroed for the next. */
export async function readLoopGuard(ctx: GpuContext): Promise<LoopTrip | undefined> {
  const buffer = buffers.get(ctx.device);
  if (!buffer) return undefined;
  // The record is a u32; read() hands back its bits as a float32.
  const id = new Uint32Array((await ctx.read(buffer)).buffer)[0]!;
  if (!id) return undefined;
  ctx.device.queue.writeBuffer(buffer, 0, new Uint32Array([0]));
  return { file: order(ctx.edits)[id % 64] ?? '?', line: Math.floor(id / 64) };
}
