// WGSL files and how they are put together. A file that calls what another defines says so in its
// header, `// requires: activation, matmul_epilogue.wgsl`, and a file that can fill a role says
// `// provides: activation`; composeShaders() puts files in one module, in order, and refuses one
// whose requirements are not compiled before it. So the file a learner opens names everything
// that runs with it. Edits (the page's shader lab) replace a file's text, never its declarations.

import { declareLoopGuard, guardedEdit } from './loopGuard.js';

export interface Shader {
  /** The file name in shaders/, without .wgsl; for a composed shader, its parts joined by '+'. */
  name: string;
  code: string;
  /** What its header says it needs compiled before it: file names (x.wgsl) or roles (activation). */
  requires?: readonly string[];
  /** The roles its header says it fills. */
  provides?: readonly string[];
  /**
   * For a shader compiled from several files: each file's name and its number of lines, in order,
   * so a compile error's line is reported in the file it is in.
   */
  parts?: readonly { name: string; lines: number }[];
  /** For a composed shader: the files it was made of, so an edited one can take its place. */
  sources?: readonly Shader[];
}

/** Edited files by name: compiled in place of the files in shaders/. The text is only ever compiled as WGSL. */
export type ShaderEdits = ReadonlyMap<string, string>;

export const NO_EDITS: ShaderEdits = new Map();

/** The files of shaders/ a shader is compiled from: its own, or each of a composed one's. */
export function shaderFiles(shader: Shader): string[] {
  return (shader.sources ?? [shader]).map((s) => s.name);
}

/** The words of a header line `// <key>: a, b.wgsl`, before the first code line. */
function declared(code: string, key: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    if (!line.startsWith('//')) break;
    const match = new RegExp(`^//\\s*${key}:\\s*(.*)$`).exec(line);
    if (match) out.push(...match[1]!.replace(/\(.*\)/g, '').split(',').map((w) => w.trim()).filter(Boolean));
  }
  return out;
}

/** A file of shaders/, with what its header declares. */
export function shaderFile(name: string, code: string): Shader {
  return { name, code, requires: declared(code, 'requires'), provides: declared(code, 'provides') };
}

/** One shader made of several files, concatenated in order; each file's requirements must come before it. */
export function composeShaders(...shaders: Shader[]): Shader {
  const sources = shaders.flatMap((s) => s.sources ?? [s]);
  sources.forEach((file, i) => {
    const before = sources.slice(0, i);
    for (const need of file.requires ?? []) {
      const met = need.endsWith('.wgsl') ? before.some((s) => `${s.name}.wgsl` === need) : before.some((s) => s.provides?.includes(need));
      if (!met) throw new Error(`shaders/${file.name}.wgsl requires ${need}, which is not compiled before it (${sources.map((s) => s.name).join(' + ')})`);
    }
  });
  const parts = sources.map((s) => ({ name: s.name, lines: s.code.split('\n').length }));
  return { name: sources.map((s) => s.name).join('+'), code: sources.map((s) => s.code).join('\n'), parts, sources };
}

/**
 * The shader as it compiles with `edits`: each of its files replaced by its edited text where there
 * is one, every loop of an edited file guarded (loopGuard.ts), and the guards' record declared.
 */
export function applyEdits(shader: Shader, edits: ShaderEdits): Shader {
  if (edits.size === 0) return shader;
  const edit = (file: Shader): Shader => {
    const edited = edits.get(file.name);
    return edited === undefined ? file : { ...file, code: guardedEdit(file.name, edited, edits) };
  };
  const out = shader.sources ? composeShaders(...shader.sources.map(edit)) : edit(shader);
  const code = declareLoopGuard(out.code);
  return code === out.code ? out : { ...out, code };
}

/** The file and line of line `line` (1-based) of a shader, composed or not. */
export function sourceLine(shader: Shader, line: number): { file: string; line: number } {
  let at = line;
  for (const part of shader.parts ?? []) {
    if (at <= part.lines) return { file: part.name, line: at };
    at -= part.lines;
  }
  return { file: shader.name, line };
}
