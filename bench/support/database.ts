/**
 * A database of the benchmark's own on the DATABASE_URL server, dropped afterwards: a long job on
 * that server's default database cannot block the migrations, and nothing is left behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/db/client';

async function admin(base: string, statement: string): Promise<void> {
  const c = new Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** `create database duely_bench_<label>_<random>` on the server of `base`. */
export async function scratchDatabase(base: string, label: string): Promise<ScratchDatabase> {
  const name = `duely_bench_${label}_${crypto.randomBytes(4).toString('hex')}`;
  await admin(base, `create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(base, `drop database if exists ${name} with (force)`) };
}

/**
 * The benchmark's database, opened and migrated by the caller: a scratch database on the
 * DATABASE_URL server, else embedded PGlite in a temporary directory (or `keepDir`, kept
 * afterwards for a closer look). `drop()` closes it and removes what it made.
 */
export async function benchDatabase(
  label: string,
  opts: { poolSize: number; keepDir?: string },
): Promise<{ database: Database; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL || undefined;
  if (base) {
    const scratch = await scratchDatabase(base, label);
    const database = await openDatabase({ url: scratch.url, poolSize: opts.poolSize });
    return {
      database,
      async drop() {
        await database.close();
        await scratch.drop();
      },
    };
  }
  const dir = opts.keepDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `duely-${label}-bench-`));
  const database = await openDatabase({ dataDir: dir });
  return {
    database,
    async drop() {
      await database.close();
      if (!opts.keepDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
