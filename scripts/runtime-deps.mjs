// Prints, one per line, the node_modules folders that the built command and benchmark need at run
// time: the packages that dist/lib's entry points (and the chunks they import) import by name, and
// everything those depend on. scripts/pack-device.sh packs only these for a lent GPU machine; the
// whole of node_modules (test tools, ONNX Runtime, Chromium's protocol) is several times the 64 MiB
// that may travel there.
//
//   node scripts/runtime-deps.mjs dist/lib/bench.js dist/lib/cli.js

import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: node scripts/runtime-deps.mjs ENTRY.js...');
  process.exit(2);
}

// Import specifiers of one built file: static `from '…'` and dynamic `import('…')`.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)(['"])([^'"\n]+)\1/g;

/** The package a bare specifier names: 'a/b' → 'a', '@s/a/b' → '@s/a'. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const files = new Set();
const roots = new Set();
const pending = entries.map((e) => resolve(e));
while (pending.length) {
  const file = pending.pop();
  if (files.has(file)) continue;
  files.add(file);
  for (const [, , specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    if (specifier.startsWith('.')) {
      const next = resolve(dirname(file), specifier);
      if (existsSync(next)) pending.push(next);
    } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
      // A bundled library's strings can look like imports ('NHWC'): only installed packages count.
      const name = packageOf(specifier);
      if (existsSync(join('node_modules', name, 'package.json'))) roots.add(name);
    }
  }
}

// Their dependencies, as npm laid them out: a package's own node_modules first, then the top level.
const folders = new Set();
function visit(name, from) {
  let dir = from;
  let folder;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      folder = candidate;
      break;
    }
    if (dir === '.' || dir === '') break;
    // Up from node_modules/a/node_modules/b to node_modules/a, then to the root.
    const up = dirname(dirname(dir));
    dir = up === dir ? '.' : up;
  }
  if (!folder || folders.has(folder)) return;
  folders.add(folder);
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, folder);
}
for (const name of roots) visit(name, '.');

console.log([...folders].sort().join('\n'));
