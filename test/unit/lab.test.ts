// The lab's checks that run before anything reaches the GPU: loops that can be seen never to end
// are refused; links carry edited files and are read back; every exercise starts from a real
// edit of its file (an exercise that no longer matches its file fails here, not in a class).

import { describe, expect, test } from 'vitest';
import { EXERCISES } from '../../src/ui/lab/exercises.js';
import { editsFromQuery, endlessLoop, fromBase64Url, LAB_FILES, queryOfEdits, toBase64Url } from '../../src/ui/lab/files.js';

describe('endless loops are refused before they run', () => {
  test.each([
    ['loop {\n  x = x + 1.0;\n}', 1],
    ['var i = 0u;\nwhile (true) {\n  i++;\n}', 2],
    ['for (var i = 0u; ; i++) {\n  x += 1.0;\n}', 1],
    ['fn f() {\n  loop {\n    // break here, says the comment, but nothing does\n  }\n}', 2],
  ])('%s', (code, line) => {
    expect(endlessLoop(code)).toMatch(new RegExp(`^line ${line}: this loop has no break or return`));
  });

  test.each([
    'loop {\n  if (x > 1.0) { break; }\n  x = x + 1.0;\n}',
    'while (true) {\n  return;\n}',
    'for (var k = 0u; k < 4u; k++) {\n  sum += 1.0;\n}',
  ])('allowed: %s', (code) => {
    expect(endlessLoop(code)).toBeUndefined();
  });

  test('no file in shaders/ is refused', () => {
    for (const [name, shader] of Object.entries(LAB_FILES)) expect(endlessLoop(shader.code), name).toBeUndefined();
  });
});

test('links carry edited files as base64url WGSL, unknown files are named', () => {
  const text = '// ü, <, &, and a newline\nfn relu(x: f32) -> f32 { return x; }';
  expect(fromBase64Url(toBase64Url(text))).toBe(text);
  expect(toBase64Url(text)).toMatch(/^[A-Za-z0-9_-]+$/);
  const query = `?example=two-layer&${queryOfEdits(new Map([['relu', text]]))}&shader.nonsense=abc`;
  const { edits, problems } = editsFromQuery(query);
  expect([...edits]).toEqual([['relu', text]]);
  expect(problems).toEqual(['the link edits shaders/nonsense.wgsl, which the lab does not have']);
});

test('every exercise starts from an edit of its file, and is caught at a line of the teaching plan', () => {
  expect(EXERCISES.length).toBeGreaterThanOrEqual(6);
  for (const e of EXERCISES) {
    expect(e.start, e.id).not.toBe(LAB_FILES[e.file]!.code);
    expect(e.caughtAt.length).toBeGreaterThan(0);
  }
});

test('the watchdog gives up on work that does not finish, says why, and lets finished work through', async () => {
  const { watchdog } = await import('../../src/ui/grading.js');
  let abandoned = 0;
  const never = new Promise<number>(() => undefined);
  await expect(watchdog(never, () => abandoned++, 50)).rejects.toThrow(/ran for more than 0.05 s \(an endless loop\?\) and was abandoned/);
  expect(abandoned).toBe(1);
  // A failure caused by the abandoning (the device destroyed) is reported as the watchdog's.
  let reject: (e: Error) => void = () => undefined;
  const failing = new Promise<number>((_, r) => (reject = r));
  await expect(watchdog(failing, () => reject(new Error('device destroyed')), 50)).rejects.toThrow(/watchdog/);
  await expect(watchdog(Promise.resolve(7), () => abandoned++, 50)).resolves.toBe(7);
  expect(abandoned).toBe(1);
});
