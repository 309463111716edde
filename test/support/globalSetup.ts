import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../../src/db/client';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { withDatabase } from './db';

/** On PostgreSQL, migrate one template database per migration set; test files clone it. */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  const base = process.env.DATABASE_URL;
  if (!base) return;
  const hash = crypto.createHash('sha256');
  for (const f of fs.readdirSync(MIGRATIONS_DIR, { recursive: true }).map(String).sort()) {
    const p = path.join(MIGRATIONS_DIR, f);
    if (fs.statSync(p).isFile()) hash.update(f).update(fs.readFileSync(p));
  }
  const name = `duely_tpl_${hash.digest('hex').slice(0, 12)}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`create database ${name}`);
      const db = await openDatabase({ url: withDatabase(base, name), poolSize: 1 });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
    }
  } finally {
    await admin.end();
  }
  process.env.DUELY_TEST_TEMPLATE_DB = name;
}
