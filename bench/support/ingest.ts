/**
 * What the two ingest benchmarks share: Duely's sync service (runSync: connector + batched
 * upserts + cursor per batch) against a platform emulator in its own process, into a database of
 * the benchmark's own (a scratch database on the DATABASE_URL server, dropped afterwards, else
 * embedded PGlite): a full sync, then an incremental sync after `change()` on the emulator.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { AccountingConnector, Platform } from '../../connectors/types';
import { ALL_JOBS } from '../../jobs/registry';
import { buildApp, closeApp } from '../../src/app/build';
import { parseEnv } from '../../src/config/env';
import { OrgScope } from '../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { createOrganization } from '../../src/services/organizations';
import { runSync } from '../../src/services/sync/runSync';
import { scratchDatabase } from './database';

export interface IngestRun {
  platform: Platform;
  connector: AccountingConnector;
  tenantId: string;
  refreshToken: string;
  /** Called before the full sync (the emulator's counters reset). */
  resetStats(): Promise<unknown>;
  /** Changes 1 % of the invoices on the emulator. */
  change(): Promise<unknown>;
}

export async function fullThenIncrementalIngest(run: IngestRun) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `duely-${run.platform}-ingest-`));
  const scratch = process.env.DATABASE_URL
    ? await scratchDatabase(process.env.DATABASE_URL, `${run.platform}_ingest`)
    : null;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  try {
    const config = parseEnv({
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    const app = await buildApp({
      config,
      jobs: ALL_JOBS,
      logger: pino({ level: 'warn' }),
      connectors: () => [run.connector],
    });
    try {
      const org = await createOrganization(app.db, { name: `${run.platform} ingest bench` });
      const conn = await addConnectionFromRefreshToken(
        app,
        new OrgScope(app.db, org.id),
        { platform: run.platform, externalTenantId: run.tenantId, refreshToken: run.refreshToken },
        { type: 'system', id: 'bench' },
      );
      await run.resetStats();
      const t0 = performance.now();
      const full = await runSync(app, {
        organizationId: org.id,
        connectionId: conn.id,
        mode: 'full',
        trigger: 'cli',
      });
      const fullMs = performance.now() - t0;
      await run.change();
      const t1 = performance.now();
      const incremental = await runSync(app, {
        organizationId: org.id,
        connectionId: conn.id,
        mode: 'incremental',
        trigger: 'schedule',
      });
      const incrementalMs = performance.now() - t1;
      const records = full.customers + full.invoices + full.payments + full.creditNotes;
      return {
        database: scratch ? 'postgresql' : 'pglite',
        full,
        fullMs,
        records,
        incremental,
        incrementalMs,
        peakRssMb: Math.round(peakRss / 1024 / 1024),
      };
    } finally {
      await closeApp(app, 5_000);
    }
  } finally {
    clearInterval(sampler);
    fs.rmSync(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

/** The full sync's figures, as both ingest benches print them. */
export function fullSyncMetrics(
  r: Awaited<ReturnType<typeof fullThenIncrementalIngest>>,
  apiCallFloor: number,
) {
  return {
    database: r.database,
    status: r.full.status,
    customers: r.full.customers,
    invoices: r.full.invoices,
    payments: r.full.payments,
    creditNotes: r.full.creditNotes,
    recordErrors: r.full.errors.length,
    fullSyncMs: Math.round(r.fullMs),
    ingestRecordsPerSec: Math.round(r.records / (r.fullMs / 1000)),
    fullApiCalls: r.full.apiCalls,
    apiCallFloor,
    apiCallRatio: Number((r.full.apiCalls / apiCallFloor).toFixed(3)),
  };
}
