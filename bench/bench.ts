// npm run bench: the cases of bench/cases.ts in Node (Dawn): ours against TF.js's WebGPU backend
// and jax-js (and a naive WGSL matmul, and the CPU path), the adapter's ceiling, and the command's
// peak memory over a long run, side by side in one process on one adapter, each case's contenders
// in turns after a warm-up round, as the median of several rounds.
//   npm run bench -- --json          one JSON object per case
//   npm run bench -- --quick         tiny sizes, one run: a smoke test that the benchmark still works
//   npm run bench -- --large         also 2048³ and 4096³ matmuls (for a real GPU)
//   npm run bench -- --only matmul   only some groups: ceiling (always), matmul, training, seed, memory
//   npm run bench -- --variants      also every matmul kernel variant the adapter can run, one row each
//   npm run bench -- --runs 5 --save bench/results/<name>.json

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createNodeGpuContext, nodeGpu } from '../src/gpu/node.js';
import { figure as fmt, ratioText, runCases, type Row } from './cases.js';
import { loadPeers } from './peers.js';
import pkg from '../package.json' with { type: 'json' };

/** The jax-js version the benchmark measures (as package.json pins it). */
const JAXJS_VERSION = pkg.devDependencies['@jax-js/jax'];

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    save: { type: 'string' },
    large: { type: 'boolean' },
    only: { type: 'string' },
    variants: { type: 'boolean' },
  },
});
const quick = opts.quick ?? false;
const RUNS = Number(opts.runs ?? (quick ? 1 : 5));
const WARMUP = 1;

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  if (opts.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  else process.stderr.write(`  ${row.case}: ${fmt(row.ours)} vs ${fmt(row.peer)} ${row.unit} (${row.peerName}) = ${ratioText(row.ratio)}\n`);
}


// --- memory over a long run ----------------------------------------------------------------------

/**
 * Peak memory (max RSS) of the command training the seed's network for `iterations`, in a fresh
 * Node process each, so nothing else this benchmark did is counted. A run keeps only what it prints
 * and saves, so the peak should not grow with the number of iterations.
 */
function cliPeakMB(iterations: number, cpu: boolean): number {
  const argv = ['train', ...(cpu ? ['--cpu'] : []), '--iterations', String(iterations), '--log-every', String(iterations)];
  // The command itself, with a preloaded line that reports its peak memory as it exits.
  // Linux's VmHWM (peak RSS of this program's memory), not ru_maxrss: that one is inherited
  // across exec from this benchmark, which holds TF.js and jax-js.
  const report =
    'data:text/javascript,import{readFileSync}from"node:fs";process.on("exit",()=>{let kb=process.resourceUsage().maxRSS;' +
    'try{kb=Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync("/proc/self/status","utf8"))[1])}catch{}process.stderr.write("maxRSS "+kb+"\\n")})';
  const r = spawnSync(process.execPath, ['--import', report, COMMAND, ...argv], { encoding: 'utf8' });
  const m = /maxRSS (\d+)/.exec(r.stderr);
  if (!m || r.status !== 0) throw new Error(`bench: the command failed for ${iterations} iterations: ${r.stderr.slice(-400)}`);
  return Number(m[1]) / 1024;
}

/** bin/backprop.js beside dist/lib (absent where only the built library is installed). */
const COMMAND = fileURLToPath(new URL('../../bin/backprop.js', import.meta.url));

function benchMemory(): void {
  if (!existsSync(COMMAND)) {
    process.stderr.write(`bench: peak memory skipped: ${COMMAND} is not here\n`);
    return;
  }
  for (const cpu of [true, false]) {
    const small = 10_000;
    const large = cpu ? (quick ? 100_000 : 10_000_000) : quick ? 20_000 : 1_000_000;
    const before = cliPeakMB(small, cpu);
    const after = cliPeakMB(large, cpu);
    report({
      case: `peak memory of backprop train${cpu ? ' --cpu' : ''}, ${large.toLocaleString('en')} iterations`,
      ours: after,
      peer: before,
      ratio: before / after,
      unit: 'MB',
      peerName: `${small.toLocaleString('en')} iterations`,
      runs: 1,
      warmup: 0,
      note: `max RSS of a fresh process; the difference is ${(after - before).toFixed(1)} MB`,
    });
  }
}

// --- main --------------------------------------------------------------------------------------

const ctx = await createNodeGpuContext({ maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 });
const peers = await loadPeers(await nodeGpu());
const started = performance.now();
process.stderr.write(`bench: ${ctx.adapterName}; TF.js ${peers.tf.version_core} (${peers.tf.getBackend()}), jax-js; warm-up ${WARMUP}, median of ${RUNS}${quick ? ' (quick)' : ''}\n`);
const only = opts.only?.split(',');
const ceiling = await runCases({
  ctx,
  peers,
  quick,
  large: opts.large ?? false,
  variants: opts.variants ?? false,
  runs: RUNS,
  warmup: WARMUP,
  report,
  say: (line) => process.stderr.write(`bench: ${line}\n`),
  ...(only ? { only } : {}),
});
if (!only || only.includes('memory')) benchMemory();
const seconds = (performance.now() - started) / 1000;

if (!opts.json) {
  const head = ['case', 'peer', 'ours', 'peer', 'unit', 'ratio', 'target', 'of ceiling', 'variant', 'GPU memory ours / peer'];
  const mb = (b?: number): string => (b === undefined ? '–' : b < 2 ** 20 ? `${(b / 1024).toFixed(1)} KB` : `${(b / 2 ** 20).toFixed(2)} MB`);
  const table = rows.map((r) => [
    r.case,
    r.peerName,
    fmt(r.ours),
    fmt(r.peer),
    r.unit,
    ratioText(r.ratio),
    r.target ? `≥ ${r.target}× ${r.ratio >= r.target ? 'met' : 'MISSED'}` : '',
    r.ofCeiling !== undefined ? `${(100 * r.ofCeiling).toFixed(0)}%` : '',
    r.variant ?? '',
    `${mb(r.oursBytes)} / ${mb(r.peerBytes)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`adapter: ${ctx.adapterName}; warm-up ${WARMUP} run, median of ${RUNS}; ${seconds.toFixed(0)} s`);
  console.log(line(head));
  for (const t of table) console.log(line(t));
}
if (opts.save) {
  mkdirSync(dirname(opts.save), { recursive: true });
  writeFileSync(
    opts.save,
    `${JSON.stringify({ date: new Date().toISOString(), adapter: ctx.adapterName, node: process.version, tfjs: peers.tf.version_core, jaxjs: JAXJS_VERSION, ceiling: ceiling.gflops, runs: RUNS, warmup: WARMUP, quick, variants: opts.variants ?? false, seconds, rows }, null, 1)}\n`,
  );
}
ctx.destroy();
// A matmul whose output failed its check against float64 makes the whole run fail: its figures,
// and any table they go into, would describe a kernel that computes the wrong numbers.
const wrong = rows.filter((r) => r.check && !r.check.ok);
for (const r of wrong) process.stderr.write(`bench: ${r.case}: ${r.variant} computed wrong results: ${r.check!.text}\n`);
process.exit(wrong.length ? 1 : 0);
