// The loop guards written into edited kernels (src/gpu/loopGuard.ts): every loop guarded on its own
// line, comments and words that only contain a keyword left alone, the record declared once.

import { expect, test } from 'vitest';
import { declareLoopGuard, guardLoops, LOOP_GUARD_LIMIT } from '../../src/gpu/loopGuard.js';

const KERNEL = `// for each row: a loop { in a comment } is not a loop
/* while (true) { nor in a block comment /* nested */ } */
fn f(n: u32) -> u32 {
  var s = 0u;
  for (var k = 0u; k < n; k++) {
    var j = 0u;
    while (j < k) {
      j++;
    }
    loop {
      if (s > 3u) { break; }
      s++;
    }
  }
  let before_loop = s; // an identifier with a keyword inside
  return before_loop;
}`;

test('each loop gets a counter before it and a guard first in its body, on the same lines', () => {
  const out = guardLoops(KERNEL, 2);
  expect(out.split('\n')).toHaveLength(KERNEL.split('\n').length);
  const lines = out.split('\n');
  // line 5 is the for, 7 the while, 10 the loop: id = line · 64 + file
  expect(lines[4]).toBe(`  var guard_0: u32 = 0u; for (var k = 0u; k < n; k++) { guard_0 += 1u; if (guard_0 > ${LOOP_GUARD_LIMIT}u) { atomicMax(&loop_guard[0], ${5 * 64 + 2}u); break; }`);
  expect(lines[6]).toBe(`    var guard_1: u32 = 0u; while (j < k) { guard_1 += 1u; if (guard_1 > ${LOOP_GUARD_LIMIT}u) { atomicMax(&loop_guard[0], ${7 * 64 + 2}u); break; }`);
  expect(lines[9]).toBe(`    var guard_2: u32 = 0u; loop { guard_2 += 1u; if (guard_2 > ${LOOP_GUARD_LIMIT}u) { atomicMax(&loop_guard[0], ${10 * 64 + 2}u); break; }`);
  // Comments and identifiers untouched.
  expect(lines.slice(0, 2)).toEqual(KERNEL.split('\n').slice(0, 2));
  expect(lines[14]).toBe(KERNEL.split('\n')[14]);
});

test('a module with guards declares their record once; one without is left as it is', () => {
  const guarded = declareLoopGuard(guardLoops(KERNEL, 0));
  expect(guarded.match(/var<storage, read_write> loop_guard: array<atomic<u32>, 1>;/g)).toHaveLength(1);
  expect(declareLoopGuard('fn f() {}')).toBe('fn f() {}');
});
