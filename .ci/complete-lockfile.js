#!/usr/bin/env node
'use strict';
/*
 * This workplace's npm registry mirror answers 404 for native binaries built for other
 * platforms (e.g. @swc/core-darwin-arm64), so `npm install` here cannot record them in
 * package-lock.json, and `npm ci` then refuses the lock ("Missing: … from lock file").
 * This script adds the lock entries npm would have written: name, version, optional, and the
 * os/cpu read from the package name. npm never downloads an entry whose os/cpu does not match
 * the machine; on a machine that needs one (a Mac, say) npm fetches it by name and version.
 *
 *   node .ci/complete-lockfile.js          add the missing entries
 *   node .ci/complete-lockfile.js --check  exit 1 if any are missing (CI)
 *
 * Run it after every `npm install` that changes dependencies.
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;

const OS = [
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'android',
  'openharmony',
  'sunos',
  'aix',
  'netbsd',
  'openbsd',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  const libc = tokens.some((t) => /musl/.test(t))
    ? ['musl']
    : tokens.some((t) => /gnu/.test(t))
      ? ['glibc']
      : undefined;
  return { os, cpu, libc };
}

function resolves(fromPath, dep) {
  let base = fromPath;
  for (;;) {
    const candidate = (base ? base + '/node_modules/' : 'node_modules/') + dep;
    if (pkgs[candidate]) return true;
    if (!base) return false;
    const i = base.lastIndexOf('/node_modules/');
    base = i >= 0 ? base.slice(0, i) : '';
  }
}

const added = [];
for (const [p, meta] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies || {})) {
    if (resolves(p, dep)) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue; // not a platform binary: leave it to npm
    const entry = { version: version.replace(/^[~^=]/, ''), optional: true };
    if (meta.dev) entry.dev = true;
    if (meta.peer) entry.peer = true;
    if (cpu) entry.cpu = [cpu];
    if (os) entry.os = [os];
    if (libc && os === 'linux') entry.libc = libc;
    pkgs['node_modules/' + dep] = entry;
    added.push(dep);
  }
}

if (process.argv.includes('--check')) {
  if (added.length) {
    console.error(
      `package-lock.json lacks ${added.length} platform entries (${added.slice(0, 3).join(', ')}…): run node .ci/complete-lockfile.js`,
    );
    process.exit(1);
  }
  process.exit(0);
}
if (added.length) {
  const sorted = Object.fromEntries(
    Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
  );
  lock.packages = sorted;
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
}
console.log(`complete-lockfile: ${added.length} entries added`);
