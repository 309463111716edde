import type { Logger } from 'pino';
import type { AccountingConnector } from '../../connectors/types';
import type { Config } from '../config/env';
import { resolveSecrets } from '../config/secrets';
import { KeyRing } from '../crypto/keyRing';
import { openDatabase, type Database } from '../db/client';
import { migrate } from '../db/migrate';
import { createRootLogger, setRootLogger } from '../logging/logger';
import { outboxTransport, smtpTransport } from '../mail/transport';
import { BullMqQueue } from '../queue/bullmq';
import { InProcessQueue } from '../queue/inProcess';
import type { JobDefinition, QueueDriver } from '../queue/types';
import { connectorRegistry, type AppContext } from './context';
import path from 'node:path';
import fs from 'node:fs';

export interface BuildOptions {
  config: Config;
  /** Job definitions this process knows (all of them, from jobs/registry). */
  jobs: JobDefinition<unknown, AppContext>[];
  connectors: (config: Config) => AccountingConnector[];
  logger?: Logger;
  /** Use this database instead of opening one (tests, CLI over the embedded socket). */
  database?: Database;
  migrate?: boolean;
  now?: () => Date;
  queuePrefix?: string;
}

/** Open the database, key ring, queue and connectors for one process. */
export async function buildApp(opts: BuildOptions): Promise<AppContext> {
  const { config } = opts;
  const logger = opts.logger ?? createRootLogger(config.LOG_LEVEL);
  setRootLogger(logger);
  const secrets = resolveSecrets(config);
  if (secrets.generated.length) {
    logger.warn(
      { generated: secrets.generated, dataDir: config.DATA_DIR },
      `${secrets.generated.join(' and ')} not set: generated development values into DATA_DIR (set them in production)`,
    );
  }
  const previous = (config.ENCRYPTION_KEY_PREVIOUS ?? '').split(',').filter((k) => k.trim());
  const keyRing = new KeyRing(secrets.encryptionKey, previous);
  let database = opts.database;
  if (!database) {
    if (!config.DATABASE_URL) fs.mkdirSync(config.DATA_DIR, { recursive: true });
    database = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: path.join(config.DATA_DIR, 'pgdata'),
    });
  }
  if (opts.migrate !== false) await migrate(database);
  const ctx = {
    config,
    keyRing,
    sessionSecret: secrets.sessionSecret,
    database,
    db: database.db,
    logger,
    connectors: connectorRegistry(opts.connectors(config)),
    mail: config.SMTP_URL ? smtpTransport(config.SMTP_URL) : outboxTransport(),
    now: opts.now ?? (() => new Date()),
  } as AppContext;
  const queueLogger = logger.child({ module: 'queue' });
  const queue: QueueDriver = config.REDIS_URL
    ? new BullMqQueue(opts.jobs, ctx, queueLogger, { url: config.REDIS_URL, prefix: opts.queuePrefix })
    : new InProcessQueue(opts.jobs, ctx, queueLogger);
  ctx.queue = queue;
  return ctx;
}

export async function closeApp(app: AppContext, timeoutMs = 30_000): Promise<void> {
  await app.queue.close(timeoutMs);
  app.mail.close();
  await app.database.close();
}
