import path from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { projectRoot } from '../util/paths';
import type { Database } from './client';

export const MIGRATIONS_DIR = path.join(projectRoot(), 'src', 'db', 'migrations');

/** Arbitrary constant for pg_advisory_lock: one migrator at a time across processes. */
const MIGRATION_LOCK = 727_274_001;

/** Brings the schema up to date. Idempotent; safe to run from several processes at once. */
export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR, migrationsSchema: 'duely_meta' };
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, config);
    return;
  }
  if (!database.pool) throw new Error('PostgreSQL database without a pool');
  // Advisory locks belong to a session: hold one connection for the lock and the migration.
  const client = await database.pool.connect();
  try {
    const db = drizzle(client);
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await migratePg(db, config);
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    client.release();
  }
}
