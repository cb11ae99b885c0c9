// The WGSL that runs, shown as it is in shaders/ (the same strings the kernels compile, an
// activation's file first where a kernel applies one), with a light highlighting: comments,
// keywords, attributes and numbers.

import type { Shader } from '../../gpu/shader.js';
import { h } from '../dom.js';

const KEYWORDS = new Set([
  'fn', 'var', 'let', 'const', 'override', 'struct', 'if', 'else', 'for', 'while', 'loop', 'return', 'break', 'continue',
  'uniform', 'storage', 'read', 'read_write', 'workgroup', 'true', 'false', 'select',
  'workgroupBarrier', 'f32', 'u32', 'i32', 'bool', 'array', 'vec3u', 'vec4f',
]);

const TOKEN = /(\/\/.*$)|(@\w+)|(\b\d+(?:\.\d*)?(?:u|f)?\b)|(\b[A-Za-z_]\w*\b)/gm;

/** Where the kernel's work is: its entry point, and the bindings it writes. */
export interface Focus {
  entryPoint: string;
  writes: readonly string[];
}

/**
 * One <code> line per source line, each token a span with a class; a composed shader names each
 * file where it starts. With a focus, the lines of the entry point that compute what is written
 * are marked, and the view opens scrolled to the entry point, past the header comments.
 */
export function wgslBlock(shader: Shader, focus?: Focus): HTMLElement {
  // A region a keyboard can scroll: focusable, and named for a screen reader.
  const pre = h('pre', { class: 'wgsl', 'data-shader': shader.name, tabindex: '0', role: 'region', 'aria-label': `WGSL source: shaders/${shader.name}.wgsl` });
  const parts = shader.parts ?? [{ name: shader.name, lines: shader.code.split('\n').length }];
  const starts = new Map<number, string>();
  let at = 0;
  for (const part of parts) {
    starts.set(at, part.name);
    at += part.lines;
  }
  const lines = shader.code.trimEnd().split('\n');
  const entry = focus ? lines.findIndex((l) => new RegExp(`^fn ${focus.entryPoint}\\(`).test(l)) : -1;
  // The work: writes to a read_write binding, running sums, and the matmul_fast helpers that do both.
  const writes = focus?.writes.length ? new RegExp(`\\b(${focus.writes.join('|')})\\[[^\\]]*\\]\\s*[-+*]?=|\\b\\w+ [-+]= |\\b(accumulate|finish_tile)\\(`) : undefined;
  let depth = 0;
  let entryLine: HTMLElement | undefined;
  lines.forEach((line, i) => {
    const file = starts.get(i);
    if (file !== undefined && parts.length > 1) pre.append(h('code', { class: 'file', 'data-file': file }, `// ── shaders/${file}.wgsl ──`), '\n');
    const inEntry = entry >= 0 && i >= entry && (i === entry || depth > 0);
    if (inEntry) depth += (line.match(/{/g) ?? []).length - (line.match(/}/g) ?? []).length;
    const work = inEntry && i > entry && writes?.test(line.replace(/\/\/.*$/, ''));
    const el = h('code', { 'data-line': i + 1, ...(work ? { class: 'work' } : {}), ...(i === entry ? { id: 'wgsl-entry', class: 'entry' } : {}) });
    if (i === entry) entryLine = el;
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
  if (entryLine) {
    const target = entryLine;
    // Once laid out, open at the entry point: the kernel's body is what a learner sees first.
    requestAnimationFrame(() => {
      pre.scrollTop = Math.max(0, target.offsetTop - 6);
    });
  }
  return h(
    'div',
    { class: 'shader' },
    h('div', { class: 'shader-name' }, files, entryLine ? h('span', { class: 'hint' }, ` · opened at fn ${focus!.entryPoint}; the highlighted lines do the work, the comments above say why`) : null),
    pre,
  );
}
