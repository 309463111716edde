import path from 'node:path';
import { createConnectors } from '../../connectors';
import { ALL_JOBS } from '../../jobs/registry';
import { buildApp, closeApp } from '../app/build';
import type { AppContext } from '../app/context';
import { loadConfig } from '../config/load';
import { openDatabase } from '../db/client';
import { createRootLogger } from '../logging/logger';
import { acquireLock, readLock, releaseLock, socketUrl } from '../runtime/dataDirLock';

/**
 * Open the app for one CLI command. With the embedded database: if `npm start` is running,
 * talk to its database over the local socket; otherwise own DATA_DIR for the command's length.
 */
export async function withCliApp<T>(fn: (app: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createRootLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr as never);
  let ownsLock = false;
  let database;
  let migrate = true;
  if (!config.DATABASE_URL) {
    const running = readLock(config.DATA_DIR);
    if (running) {
      database = await openDatabase({ url: socketUrl(running), poolSize: 1 }).catch((e: unknown) => {
        throw new Error(
          `Duely (pid ${running.pid}) owns DATA_DIR but its database socket did not answer (${(e as Error).message}); stop it and retry`,
        );
      });
      migrate = false;
    } else {
      acquireLock(config.DATA_DIR);
      ownsLock = true;
      database = await openDatabase({ dataDir: path.join(config.DATA_DIR, 'pgdata') });
    }
  }
  try {
    const app = await buildApp({
      config,
      jobs: ALL_JOBS,
      connectors: createConnectors,
      logger,
      database,
      migrate,
    });
    try {
      return await fn(app);
    } finally {
      await closeApp(app, 5000);
    }
  } finally {
    if (ownsLock) releaseLock(config.DATA_DIR);
  }
}

let stdinOverride: string | null = null;
/** Tests hand the CLI its standard input directly. */
export function setStdin(value: string | null): void {
  stdinOverride = value;
}

export async function readStdin(): Promise<string> {
  if (stdinOverride !== null) return stdinOverride.replace(/\r?\n$/, '');
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
