import fs from 'node:fs';
import type { Server } from 'node:http';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createConnectors } from '../../connectors';
import { ALL_JOBS } from '../../jobs/registry';
import type { AppContext } from '../app/context';
import { buildApp, closeApp } from '../app/build';
import type { Config } from '../config/env';
import { loadConfigOrExit } from '../config/load';
import { createRootLogger } from '../logging/logger';
import { startDemoEmulators, type DemoEmulators } from '../demo/emulators';
import { seedDemo } from '../demo/seed';
import { createWebApp } from '../web/app';
import { acquireLock, DataDirBusyError, releaseLock, socketPath, type LockInfo } from './dataDirLock';

export type Role = 'all' | 'web' | 'worker';

/**
 * Boot one process: web, worker, or both (npm start). Embedded mode (no DATABASE_URL) owns
 * DATA_DIR and serves its database to the CLI on a local socket. SIGTERM/SIGINT: stop taking
 * requests and jobs, let the jobs in hand finish, close the database.
 */
export async function runProcess(role: Role): Promise<void> {
  const started = Date.now();
  let config = loadConfigOrExit();
  const logger = createRootLogger(config.LOG_LEVEL);
  const embedded = !config.DATABASE_URL;
  let lock: LockInfo | null = null;
  if (embedded) {
    try {
      lock = acquireLock(config.DATA_DIR);
    } catch (e) {
      if (e instanceof DataDirBusyError) {
        process.stderr.write(`duely: ${e.message}\n`);
        process.exit(1);
      }
      throw e;
    }
  }
  let emulators: DemoEmulators | null = null;
  if (config.demo && role === 'all') {
    ({ config, emulators } = await startDemoEmulators(config, new Date().toISOString().slice(0, 10)));
  }
  // without Redis the queue lives in this process, so this process must also work it
  const runWorker = role !== 'web' || !config.REDIS_URL;
  const runWeb = role !== 'worker';
  let app: AppContext;
  try {
    app = await buildApp({ config, jobs: ALL_JOBS, connectors: createConnectors, logger });
  } catch (e) {
    if (embedded) releaseLock(config.DATA_DIR);
    throw e;
  }

  let socketServer: PGLiteSocketServer | null = null;
  if (lock && app.database.pglite) {
    const path = socketPath(lock);
    if (fs.existsSync(path)) fs.unlinkSync(path);
    socketServer = new PGLiteSocketServer({ db: app.database.pglite, path, maxConnections: 4 });
    await socketServer.start();
  }

  let server: Server | null = null;
  if (runWeb) {
    const web = createWebApp(app);
    server = await new Promise<Server>((resolve) => {
      const s = web.listen(config.PORT, () => resolve(s));
    });
  }
  if (runWorker) await app.queue.startWorkers();

  if (config.demo && role === 'all') {
    const demo = await seedDemo(app, emulators ?? undefined);
    printDemoBanner(config, demo);
  }
  logger.info(
    {
      role,
      ms: Date.now() - started,
      url: runWeb ? config.BASE_URL : undefined,
      queue: app.queue.kind,
      database: app.database.kind,
    },
    'duely started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing the jobs in hand');
    const hardExit = setTimeout(() => process.exit(1), 40_000);
    hardExit.unref();
    try {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await socketServer?.stop();
      await closeApp(app, 30_000);
      await emulators?.close();
    } finally {
      if (embedded) releaseLock(config.DATA_DIR);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function printDemoBanner(config: Config, demo: { email: string; password: string }) {
  process.stdout.write(
    [
      '',
      '  Duely is running in demo mode.',
      `  Open ${config.BASE_URL} and sign in as ${demo.email} / ${demo.password}`,
      '  (no QuickBooks or Xero credentials are set: the books are emulated on loopback;',
      '   e-mails stay in the local outbox)',
      '',
    ].join('\n') + '\n',
  );
}
