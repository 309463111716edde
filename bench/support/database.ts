/**
 * A database of the benchmark's own on the DATABASE_URL server, dropped afterwards: a long job on
 * that server's default database cannot block the migrations, and nothing is left behind.
 */
import crypto from 'node:crypto';
import { Client } from 'pg';

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
