import type { Logger } from 'pino';
import type { AccountingConnector, Platform } from '../../connectors/types';
import type { Config } from '../config/env';
import type { KeyRing } from '../crypto/keyRing';
import type { Database, Db } from '../db/client';
import type { MailTransport } from '../mail/transport';
import type { QueueDriver } from '../queue/types';

/** Everything a service, route, job or CLI command needs, built once per process. */
export interface AppContext {
  config: Config;
  keyRing: KeyRing;
  sessionSecret: string;
  database: Database;
  db: Db;
  queue: QueueDriver;
  logger: Logger;
  /** Connectors by platform; only the ones this deployment can use. */
  connectors: ConnectorRegistry;
  /** SMTP when SMTP_URL is set, the local outbox otherwise. */
  mail: MailTransport;
  /** The clock (tests move it). */
  now(): Date;
}

export interface ConnectorRegistry {
  get(platform: string): AccountingConnector;
  has(platform: string): platform is Platform;
  list(): AccountingConnector[];
}

export class UnknownPlatformError extends Error {
  override readonly name = 'UnknownPlatformError';
}

export function connectorRegistry(connectors: AccountingConnector[]): ConnectorRegistry {
  const map = new Map<string, AccountingConnector>(connectors.map((c) => [c.platform, c]));
  return {
    get(platform) {
      const c = map.get(platform);
      if (!c) throw new UnknownPlatformError(`unknown or unconfigured platform "${platform}"`);
      return c;
    },
    has(platform): platform is Platform {
      return map.has(platform);
    },
    list: () => [...map.values()],
  };
}
