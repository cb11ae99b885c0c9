// npm run bench: the kernels and training in Node (dist/lib/bench.js), then the page's live speed
// in headless Chromium (dist/lib/benchPage.js), with the same options.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
for (const script of ['dist/lib/bench.js', 'dist/lib/benchPage.js']) {
  const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
