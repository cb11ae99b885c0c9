// The WGSL that runs, shown as it is in shaders/ (the same strings the kernels compile), with a
// light highlighting: comments, keywords, attributes and numbers.

import { gatherShader } from '../../kernels/gather.js';
import { matmulShader } from '../../kernels/matmul.js';
import { outputDeltaShader } from '../../kernels/outputDelta.js';
import { relu2derivShader } from '../../kernels/relu2deriv.js';
import { reluShader } from '../../kernels/relu.js';
import { updateShader } from '../../kernels/update.js';
import { h } from '../dom.js';

export const SHADERS: Record<string, string> = Object.fromEntries(
  [gatherShader, matmulShader, reluShader, outputDeltaShader, relu2derivShader, updateShader].map((s) => [s.name, s.code]),
);

const KEYWORDS = new Set([
  'fn', 'var', 'let', 'const', 'override', 'struct', 'if', 'else', 'for', 'while', 'loop', 'return', 'break', 'continue',
  'uniform', 'storage', 'read', 'read_write', 'workgroup', 'true', 'false', 'select',
  'workgroupBarrier', 'f32', 'u32', 'i32', 'bool', 'array', 'vec3u', 'vec4f',
]);

const TOKEN = /(\/\/.*$)|(@\w+)|(\b\d+(?:\.\d*)?(?:u|f)?\b)|(\b[A-Za-z_]\w*\b)/gm;

/** One <code> line per source line, each token a span with a class. */
export function wgslBlock(name: string): HTMLElement {
  const code = SHADERS[name] ?? `// no shader named ${name}`;
  const pre = h('pre', { class: 'wgsl', 'data-shader': name });
  code.trimEnd().split('\n').forEach((line, i) => {
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
  return h('div', { class: 'shader' }, h('div', { class: 'shader-name' }, `shaders/${name}.wgsl`), pre);
}
