// The shader files a learner can edit in the lab, and how each is compiled to be checked: an
// activation's file with the kernel that calls it, a kernel that calls one with the activation in
// use, the rest alone. Edits travel in the URL as shader.<name>=<WGSL in base64url>.

import { activate2derivShader, activateShader } from '../../kernels/activate.js';
import { gatherShader } from '../../kernels/gather.js';
import { matmulShader } from '../../kernels/matmul.js';
import { outputDeltaShader } from '../../kernels/outputDelta.js';
import { updateShader } from '../../kernels/update.js';
import { applyEdits, composeShaders, type Shader, type ShaderEdits } from '../../gpu/shader.js';
import { ACTIVATIONS } from '../../ops/activations/index.js';
import { lookup } from '../../lookup.js';

/** Every file of the teaching plan, by its name in shaders/. */
export const LAB_FILES: Readonly<Record<string, Shader>> = Object.fromEntries(
  [gatherShader, matmulShader, ...Object.values(ACTIVATIONS).map((a) => a.shader), activateShader, activate2derivShader, outputDeltaShader, updateShader].map((s) => [s.name, s]),
);

/** The shader to compile so that `name`, edited to `code`, can be checked as it will run. */
export function checkUnit(name: string, code: string, activation: string, edits: ShaderEdits): { shader: Shader; part: string } {
  // The file's declarations (what it requires and provides) are the repository's: an edit changes its text only.
  const edited: Shader = { ...LAB_FILES[name]!, code };
  if (Object.hasOwn(ACTIVATIONS, name)) return { shader: composeShaders(edited, activateShader), part: name };
  if (name === activateShader.name || name === activate2derivShader.name) {
    return { shader: composeShaders(applyEdits(ACTIVATIONS[activation]!.shader, edits), edited), part: name };
  }
  return { shader: edited, part: name };
}

const PREFIX = 'shader.';

/** base64url of UTF-8 text, and back. */
export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The edited files a query string carries (unknown names and undecodable text are left out, with the reason). */
export function editsFromQuery(search: string): { edits: Map<string, string>; problems: string[] } {
  const edits = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, value] of new URLSearchParams(search)) {
    if (!key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    if (!lookup(LAB_FILES, name)) {
      problems.push(`the link edits shaders/${name}.wgsl, which the lab does not have`);
      continue;
    }
    try {
      edits.set(name, fromBase64Url(value));
    } catch {
      problems.push(`the link's text for shaders/${name}.wgsl is not base64url`);
    }
  }
  return { edits, problems };
}

/** The query parameters that carry `edits`. */
export function queryOfEdits(edits: ReadonlyMap<string, string>): string {
  return [...edits].map(([name, code]) => `${PREFIX}${encodeURIComponent(name)}=${toBase64Url(code)}`).join('&');
}

/**
 * A loop in `code` that can be seen never to end (loop, while (true) or for (;;) with no break or
 * return inside), as "line N: ...", or undefined. A dispatch cannot be interrupted once it runs
 * (WebGPU has no way to cancel one, and Dawn on SwiftShader keeps running it after
 * device.destroy()), so the lab refuses such an edit before it reaches the GPU. Loops whose
 * condition is merely wrong are not caught.
 */
export function endlessLoop(code: string): string | undefined {
  const text = code.replace(/\/\/.*$/gm, (c) => ' '.repeat(c.length));
  const heads = /\bloop\s*\{|\bwhile\s*\(\s*true\s*\)\s*\{|\bfor\s*\([^;]*;\s*;[^)]*\)\s*\{/g;
  for (const m of text.matchAll(heads)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    let depth = 0;
    let close = text.length;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        close = i;
        break;
      }
    }
    const body = text.slice(open, close);
    if (!/\b(break|return)\b/.test(body)) {
      const line = text.slice(0, m.index).split('\n').length;
      return `line ${line}: this loop has no break or return, so it would never end, and a running dispatch cannot be stopped`;
    }
  }
  return undefined;
}
