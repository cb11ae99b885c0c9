#!/usr/bin/env node
// The `backprop` command. The CLI is TypeScript built into dist/lib by `npm install` (prepare).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/lib/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('backprop: dist/lib/cli.js is missing; run `npm run build:lib` (npm install does it) first\n');
  process.exit(1);
}
const { main, noteOutputError, outputProblem } = await import(cli.href);
process.stdout.on('error', (error) => {
  // A closed pipe (backprop train | head) ends the command quietly, as other Unix tools do.
  if (error.code === 'EPIPE') process.exit(0);
  noteOutputError(error);
});
// stderr that cannot be written (2> /dev/full) has nowhere to say so: the status says it (1).
let stderrFailed = false;
process.stderr.on('error', () => {
  stderrFailed = true;
});
const code = await main(process.argv.slice(2));
// Dawn can keep the event loop alive after the device is destroyed; leave once stdout has drained,
// and after any error it reported (a full disk) has been seen: then one line and a failure.
process.stdout.write('', () =>
  setImmediate(() => {
    const problem = outputProblem();
    if (problem && code === 0) {
      process.stderr.write(`backprop: ${problem}\n`);
      process.exit(1);
    }
    process.exit(code === 0 && stderrFailed ? 1 : code);
  }),
);
