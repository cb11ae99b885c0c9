// The WGSL that runs, shown as it is in shaders/ (the same strings the kernels compile, an
// activation's file first where a kernel applies one), with a light highlighting: comments,
// keywords, attributes and numbers.

import type { Shader } from '../../gpu/pipeline.js';
import { h } from '../dom.js';

const KEYWORDS = new Set([
  'fn', 'var', 'let', 'const', 'override', 'struct', 'if', 'else', 'for', 'while', 'loop', 'return', 'break', 'continue',
  'uniform', 'storage', 'read', 'read_write', 'workgroup', 'true', 'false', 'select',
  'workgroupBarrier', 'f32', 'u32', 'i32', 'bool', 'array', 'vec3u', 'vec4f',
]);

const TOKEN = /(\/\/.*$)|(@\w+)|(\b\d+(?:\.\d*)?(?:u|f)?\b)|(\b[A-Za-z_]\w*\b)/gm;

/** One <code> line per source line, each token a span with a class; a composed shader names each file where it starts. */
export function wgslBlock(shader: Shader): HTMLElement {
  const pre = h('pre', { class: 'wgsl', 'data-shader': shader.name });
  const parts = shader.parts ?? [{ name: shader.name, lines: shader.code.split('\n').length }];
  const starts = new Map<number, string>();
  let at = 0;
  for (const part of parts) {
    starts.set(at, part.name);
    at += part.lines;
  }
  shader.code.trimEnd().split('\n').forEach((line, i) => {
    const file = starts.get(i);
    if (file !== undefined && parts.length > 1) pre.append(h('code', { class: 'file', 'data-file': file }, `// ── shaders/${file}.wgsl ──`), '\n');
    const el = h('code', { 'data-line': i + 1 });
    let last = 0;
    for (const m of line.matchAll(TOKEN)) {
      const index = m.index ?? 0;
      if (index > last) el.append(line.slice(last, index));
      const [text, comment, attribute, number, word] = m;
      const cls = comment ? 'c' : attribute ? 'a' : number ? 'n' : word && KEYWORDS.has(word) ? 'k' : undefined;
      el.append(cls ? h('span', { class: cls }, text) : text);
      last = index + text.length;
    }
    if (last < line.length) el.append(line.slice(last));
    pre.append(el, '\n');
  });
  const files = parts.map((p) => `shaders/${p.name}.wgsl`).join(' + ');
  return h('div', { class: 'shader' }, h('div', { class: 'shader-name' }, files), pre);
}
