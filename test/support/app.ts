import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Express } from 'express';
import type { AccountingConnector } from '../../connectors/types';
import { ALL_JOBS } from '../../jobs/registry';
import { buildApp, closeApp } from '../../src/app/build';
import type { AppContext } from '../../src/app/context';
import { parseEnv } from '../../src/config/env';
import { createWebApp, type WebOptions } from '../../src/web/app';
import { createTestDatabase } from './db';

export interface TestApp {
  app: AppContext;
  web: Express;
  close(): Promise<void>;
}

export const TEST_KEY = crypto.randomBytes(32).toString('base64');

/** A whole Duely (database, queue, web) for one test file, on a fresh database. */
export async function createTestApp(
  opts: {
    env?: Record<string, string>;
    web?: WebOptions;
    connectors?: AccountingConnector[];
    now?: () => Date;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = parseEnv({
    NODE_ENV: 'test',
    DATA_DIR: path.join(os.tmpdir(), `duely-test-${crypto.randomBytes(4).toString('hex')}`),
    ENCRYPTION_KEY: TEST_KEY,
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...opts.env,
  });
  const app = await buildApp({
    config,
    jobs: ALL_JOBS,
    connectors: () => opts.connectors ?? [],
    logger: pino({ level: 'silent' }),
    database,
    migrate: false,
    now: opts.now,
    queuePrefix: `t${crypto.randomBytes(4).toString('hex')}`,
  });
  await app.queue.startWorkers();
  const web = createWebApp(app, opts.web);
  return { app, web, close: () => closeApp(app, 2000) };
}
