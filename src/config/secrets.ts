import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './env';

export interface ResolvedSecrets {
  encryptionKey: string;
  sessionSecret: string;
  /** Variables that were generated into DATA_DIR (the caller warns once). */
  generated: string[];
}

/**
 * In development, ENCRYPTION_KEY and SESSION_SECRET default to values generated once into
 * $DATA_DIR/secrets.json (mode 0600). In production they are required (parseEnv enforces it).
 */
export function resolveSecrets(config: Config): ResolvedSecrets {
  if (config.ENCRYPTION_KEY && config.SESSION_SECRET) {
    return { encryptionKey: config.ENCRYPTION_KEY, sessionSecret: config.SESSION_SECRET, generated: [] };
  }
  const file = path.join(config.DATA_DIR, 'secrets.json');
  let stored: { ENCRYPTION_KEY?: string; SESSION_SECRET?: string } = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof stored;
  const generated: string[] = [];
  if (!config.ENCRYPTION_KEY && !stored.ENCRYPTION_KEY) {
    stored.ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
    generated.push('ENCRYPTION_KEY');
  }
  if (!config.SESSION_SECRET && !stored.SESSION_SECRET) {
    stored.SESSION_SECRET = crypto.randomBytes(48).toString('base64url');
    generated.push('SESSION_SECRET');
  }
  if (generated.length) {
    fs.mkdirSync(config.DATA_DIR, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return {
    encryptionKey: config.ENCRYPTION_KEY ?? stored.ENCRYPTION_KEY!,
    sessionSecret: config.SESSION_SECRET ?? stored.SESSION_SECRET!,
    generated: config.ENCRYPTION_KEY && config.SESSION_SECRET ? [] : generated.length ? generated : [],
  };
}
