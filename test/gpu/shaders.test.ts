// Every file of shaders/ compiles from exactly the files its header declares: with its
// requirements (and theirs) compiled before it, an activation standing for the `activation` role,
// it compiles; without any one of them, it does not.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { composeShaders, shaderFile, type Shader } from '../../src/gpu/shader.js';
import { useGpu } from '../helpers/gpu.js';

const gpu = useGpu();
const DIR = join(import.meta.dirname, '..', '..', 'shaders');
const files = new Map(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.wgsl'))
    .map((f) => {
      const name = f.replace(/\.wgsl$/, '');
      return [name, shaderFile(name, readFileSync(join(DIR, f), 'utf8'))] as const;
    }),
);

/** The file with everything it declares before it, depth first; `activation` is relu.wgsl. */
function withRequirements(file: Shader, skip?: string): Shader[] {
  const out: Shader[] = [];
  const add = (s: Shader): void => {
    for (const need of s.requires ?? []) {
      if (need === skip) continue;
      const dep = files.get(need === 'activation' ? 'relu' : need.replace(/\.wgsl$/, ''))!;
      if (!out.includes(dep)) add(dep);
    }
    if (!out.includes(s)) out.push(s);
  };
  add(file);
  return out;
}

async function errors(code: string): Promise<string[]> {
  const ctx = gpu();
  ctx.device.pushErrorScope('validation');
  const module = ctx.device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  await ctx.device.popErrorScope();
  return info.messages.filter((m) => m.type === 'error').map((m) => m.message);
}

describe('each shader compiles from the files it declares', () => {
  for (const file of files.values()) {
    test(`shaders/${file.name}.wgsl${file.requires?.length ? ` after ${file.requires.join(', ')}` : ''}`, async () => {
      const composed = composeShaders(...withRequirements(file));
      expect(await errors(composed.code)).toEqual([]);
      for (const need of file.requires ?? []) {
        // Without one requirement (a file that other requirements need too goes with it), it does not compile.
        const without = withRequirements(file, need).filter((s) => need === 'activation' ? !s.provides?.includes('activation') : `${s.name}.wgsl` !== need);
        expect(await errors(without.map((s) => s.code).join('\n')), `${file.name} without ${need}`).not.toEqual([]);
      }
    });
  }
});
