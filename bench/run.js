#!/usr/bin/env node
'use strict';
// Runs every compiled benchmark (dist/bench/*.bench.js) in its own process, one after another.
// Each prints one final JSON line {"bench":"<name>","metrics":{...}}. `npm run bench -- name`
// runs the benchmarks whose file name contains `name`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'dist', 'bench');
if (!fs.existsSync(dir)) {
  console.error('bench: dist/bench is missing; run `npm run build` first');
  process.exit(1);
}
const filter = process.argv[2] ?? '';
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js') && f.includes(filter))
  .sort();
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, f)], {
    stdio: 'inherit',
    env: process.env,
  });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${f} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
