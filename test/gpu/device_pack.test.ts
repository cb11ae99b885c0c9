// scripts/pack-device.sh packs for a lent GPU machine only the packages scripts/runtime-deps.mjs
// lists (the whole of node_modules is over the 64 MiB that may travel there). A package missing
// from that list would show only on the GPU machine, in the few minutes a session has there; so
// here the built benchmark and command run from a folder holding nothing else (npm test builds
// dist/lib first).

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const ENTRIES = ['dist/lib/bench.js', 'dist/lib/cli.js'];
const folders = execFileSync(process.execPath, ['scripts/runtime-deps.mjs', ...ENTRIES], { encoding: 'utf8' }).trim().split('\n');
const dir = mkdtempSync(join(tmpdir(), 'backprop-device-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the device package holds what the benchmark and the command import', () => {
  test('the runtime packages: Dawn, jax-js and what the command imports; no test tools', () => {
    for (const name of ['node_modules/webgpu', 'node_modules/@jax-js/jax', 'node_modules/onnx-proto', 'node_modules/protobufjs']) expect(folders).toContain(name);
    for (const name of ['node_modules/vitest', 'node_modules/vite', 'node_modules/puppeteer-core', 'node_modules/onnxruntime-node', 'node_modules/typescript']) expect(folders).not.toContain(name);
  });

  test('the benchmark and the command run from package.json, bin, dist/lib and those packages alone', () => {
    for (const path of ['package.json', 'bin', 'dist/lib', ...folders]) {
      // Dawn for this platform only, as the package has it.
      cpSync(path, join(dir, path), { recursive: true, filter: (src) => !/webgpu[\\/]dist[\\/](darwin|win32|linux-arm64)/.test(src) });
    }
    const rows = execFileSync(process.execPath, ['dist/lib/bench.js', '--quick', '--only', 'ceiling,seed', '--json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { case: string; ours: number });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0]!.case).toMatch(/adapter ceiling/);
    for (const r of rows) expect(r.ours).toBeGreaterThan(0);
    const out = execFileSync(process.execPath, ['bin/backprop.js', 'train', '--cpu', '--iterations', '2'], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/^Error:/m);
  }, 120_000);
});
