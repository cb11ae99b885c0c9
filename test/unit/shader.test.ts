// The WGSL files say what they need: each header's `requires:` names files that exist (or a role a
// file provides), the composer refuses a file whose requirements are not compiled before it, and
// the names the TypeScript side gives the fast matmul's FORM and EPILOGUE values are the WGSL's.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyEdits, composeShaders, shaderFile } from '../../src/gpu/shader.js';
import { EPILOGUE, FORM } from '../../src/kernels/matmulFast/variants.js';

const DIR = join(import.meta.dirname, '..', '..', 'shaders');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.wgsl'))
  .map((f) => shaderFile(f.replace(/\.wgsl$/, ''), readFileSync(join(DIR, f), 'utf8')));
const byName = new Map(files.map((f) => [f.name, f]));

describe('shader headers', () => {
  test('every requirement names a file in shaders/ or a role some file provides', () => {
    const roles = new Set(files.flatMap((f) => f.provides ?? []));
    expect(roles).toEqual(new Set(['activation']));
    for (const f of files) {
      for (const need of f.requires ?? []) {
        if (need.endsWith('.wgsl')) expect(byName.has(need.replace(/\.wgsl$/, '')), `${f.name} requires ${need}`).toBe(true);
        else expect(roles.has(need), `${f.name} requires ${need}`).toBe(true);
      }
    }
    expect(byName.get('matmul_quad')!.requires).toEqual(['enable_subgroups.wgsl', 'activation', 'matmul_epilogue.wgsl', 'matmul_fast.wgsl']);
    expect(byName.get('relu')!.provides).toEqual(['activation']);
  });

  test('the composer refuses a file whose requirements come after it or not at all', () => {
    const [relu, epilogue, fast] = ['relu', 'matmul_epilogue', 'matmul_fast'].map((n) => byName.get(n)!);
    expect(composeShaders(relu!, epilogue!, fast!).name).toBe('relu+matmul_epilogue+matmul_fast');
    expect(() => composeShaders(relu!, fast!)).toThrow(/shaders\/matmul_fast\.wgsl requires matmul_epilogue\.wgsl, which is not compiled before it/);
    expect(() => composeShaders(epilogue!, relu!, fast!)).toThrow(/matmul_epilogue\.wgsl requires activation/);
  });

  test('an edit changes a file\'s text, never what it declares', () => {
    const composed = composeShaders(byName.get('relu')!, byName.get('activate')!);
    const edited = applyEdits(composed, new Map([['relu', 'fn activation(x: f32) -> f32 { return x; }']]));
    expect(edited.sources![0]!.provides).toEqual(['activation']);
    expect(edited.code).toContain('return x;');
  });

  test('FORM and EPILOGUE: the values TypeScript passes are the ones matmul_epilogue.wgsl names', () => {
    const code = byName.get('matmul_epilogue')!.code;
    const constant = (name: string): number => Number(new RegExp(`const ${name}: u32 = (\\d+)u;`).exec(code)![1]);
    expect(FORM).toEqual({ forward: constant('FORM_FORWARD'), backward: constant('FORM_BACKWARD'), gradient: constant('FORM_GRADIENT') });
    expect(EPILOGUE).toEqual({ store: constant('EPILOGUE_STORE'), activate: constant('EPILOGUE_ACTIVATE'), activate2deriv: constant('EPILOGUE_DERIV'), update: constant('EPILOGUE_UPDATE') });
  });
});
