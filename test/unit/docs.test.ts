// The README and docs/ point only at what exists: every relative link (and the heading it names
// after '#'), and every file or folder of the repository cited in `code`, so a page never sends a
// reader to a file that was moved or removed.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

/** The text outside fenced code blocks, where links and citations are prose. */
const prose = (text: string): string => text.replace(/```[\s\S]*?```/g, '');

/** Where the repository's own top-level folders and files are cited in backticks (`src/ui/app.ts`, `../test/…`). */
const TOP = new Set(readdirSync(ROOT).filter((f) => !f.startsWith('.') && f !== 'node_modules' && f !== 'dist'));

describe.each(PAGES)('%s', (page) => {
  const file = join(ROOT, page);
  const text = prose(readFileSync(file, 'utf8'));

  test('every relative link leads to a file that exists, and to a heading it has', () => {
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // http:, https:, mailto:
      const [path, hash] = target!.split('#') as [string, string | undefined];
      const at = path === '' ? file : resolve(dirname(file), decodeURI(path));
      if (!existsSync(at)) broken.push(`${target}: no ${relative(ROOT, at)}`);
      else if (hash && at.endsWith('.md') && !anchors(at).has(hash)) broken.push(`${target}: ${relative(ROOT, at)} has no heading #${hash}`);
    }
    expect(broken).toEqual([]);
  });

  test('every file of the repository it cites in code exists', () => {
    const missing: string[] = [];
    for (const [, cited] of text.matchAll(/`((?:\.\.\/)?[\w.-]+\/[\w./-]*)`/g)) {
      const path = cited!.replace(/^\.\.\//, '');
      if (!TOP.has(path.split('/')[0]!)) continue; // not a path of this repository (a URL path, an npm package)
      if (!existsSync(join(ROOT, path))) missing.push(cited!);
    }
    expect(missing).toEqual([]);
  });
});

test('the README is for a newcomer: at most 250 lines', () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
});
