/**
 * Cold `npm start` to /readyz = 200 on a fresh DATA_DIR, then a warm restart on the same one.
 * Targets: ≤ 10 s cold, ≤ 3 s warm.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

async function ready(port: number, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error('not ready in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function boot(dataDir: string, port: number): Promise<{ ms: number; child: ChildProcess }> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(root, 'dist/src/bin/start.js')], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await ready(port, 60_000);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, child };
}

async function stop(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duely-bench-start-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  try {
    const cold = await boot(dataDir, port);
    await stop(cold.child);
    const warm = await boot(dataDir, port);
    await stop(warm.child);
    console.log(
      JSON.stringify({
        bench: 'startup',
        metrics: {
          coldStartToReadyMs: Math.round(cold.ms),
          warmStartToReadyMs: Math.round(warm.ms),
          targetColdMs: 10_000,
          targetWarmMs: 3_000,
        },
      }),
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
