#!/usr/bin/env node
// The `backprop` command. The CLI is TypeScript built into dist/lib by `npm install` (prepare).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/lib/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('backprop: dist/lib/cli.js is missing; run `npm run build:lib` (npm install does it) first\n');
  process.exit(1);
}
// A closed pipe (backprop train | head) ends the command quietly, as other Unix tools do.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 0 : 1));
const { main } = await import(cli.href);
const code = await main(process.argv.slice(2));
// Dawn can keep the event loop alive after the device is destroyed; leave once stdout has drained.
process.stdout.write('', () => process.exit(code));
