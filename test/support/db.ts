import crypto from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/db/client';
import { migrate } from '../../src/db/migrate';

/**
 * A fresh, migrated database for one test file: embedded PGlite in memory by default, or a new
 * database on the real PostgreSQL server when DATABASE_URL is set (CI runs both). On
 * PostgreSQL each test database is cloned from a template migrated once in globalSetup.
 */
export async function createTestDatabase(): Promise<Database & { url: string | null }> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrate(database);
    return Object.assign(database, { url: null });
  }
  const name = `duely_t_${crypto.randomBytes(6).toString('hex')}`;
  const template = process.env.DUELY_TEST_TEMPLATE_DB;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(base, name);
  const database = await openDatabase({ url, poolSize: 5 });
  if (!template) await migrate(database);
  const close = database.close.bind(database);
  return Object.assign(database, {
    url,
    async close() {
      await close();
      const a = new Client({ connectionString: base });
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  });
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}
