// Kernel choices for the command, in a small JSON file under the user's cache directory
// ($XDG_CACHE_HOME/webgpu-backprop/kernels.json, or ~/.cache/...): a run measures each matmul
// shape once per adapter, and later runs reuse the winner. A file that cannot be read or
// written only means measuring again.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixedChoices, type ChoiceStore } from './choices.js';

export function defaultChoicesFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'webgpu-backprop', 'kernels.json');
}

export function fileChoices(path = defaultChoicesFile()): ChoiceStore {
  let cache: Record<string, string> | undefined;
  const read = (): Record<string, string> => {
    if (cache) return cache;
    try {
      const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      cache = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
    } catch {
      cache = {};
    }
    return cache;
  };
  return {
    get: (key) => {
      const value = read()[key];
      return typeof value === 'string' ? value : undefined;
    },
    set: (key, value) => {
      const all = { ...read(), [key]: value };
      cache = all;
      try {
        mkdirSync(dirname(path), { recursive: true });
        const temporary = `${path}.${process.pid}.tmp`;
        writeFileSync(temporary, `${JSON.stringify(all, null, 1)}\n`);
        renameSync(temporary, path);
      } catch {
        // A read-only home: the choice lives for this process only.
      }
    },
    where: path,
  };
}

/**
 * The command's store: the cache file, or BACKPROP_KERNEL_CACHE: a path, "off" (measured, kept for
 * this process only: undefined) or "fixed" (never measured: each shape's default variant).
 */
export function commandChoices(env: NodeJS.ProcessEnv = process.env): ChoiceStore | undefined {
  const setting = env.BACKPROP_KERNEL_CACHE;
  if (setting === 'off') return undefined;
  if (setting === 'fixed') return fixedChoices();
  return fileChoices(setting || defaultChoicesFile(env));
}
