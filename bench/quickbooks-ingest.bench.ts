/**
 * Duely's sync service (runSync: connector + batched upserts + cursor per batch) against the
 * QuickBooks emulator run as its own process with Intuit's limits on: a full sync of 20,000
 * customers / 100,000 invoices into the database (embedded PGlite, or a scratch database on the
 * DATABASE_URL server), then an
 * incremental sync after 1 % of the invoices change.
 * Targets: API calls ≤ 1.05 × floor, zero 429s, ingest ≥ 5,000 records/s, peak RSS ≤ 512 MB;
 * incremental ≤ 3 calls and ≤ 2 % of the full sync's time. Sizes: QB_BENCH_CUSTOMERS, QB_BENCH_INVOICES.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createQuickBooksConnector } from '../connectors/quickbooks';
import { ALL_JOBS } from '../jobs/registry';
import { buildApp, closeApp } from '../src/app/build';
import { parseEnv } from '../src/config/env';
import { OrgScope } from '../src/db/scope';
import { addConnectionFromRefreshToken } from '../src/services/connections/lifecycle';
import { createOrganization } from '../src/services/organizations';
import { runSync } from '../src/services/sync/runSync';
import { startEmulator } from './support/connectorSync';
import { scratchDatabase } from './support/database';

const customers = Number(process.env.QB_BENCH_CUSTOMERS ?? 20_000);
const invoices = Number(process.env.QB_BENCH_INVOICES ?? 100_000);

interface Started {
  url: string;
  realmId: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duely-qb-bench-'));
  // a database of its own on the DATABASE_URL server, dropped afterwards: runs are repeatable and
  // leave nothing behind
  const scratch = process.env.DATABASE_URL
    ? await scratchDatabase(process.env.DATABASE_URL, 'qb_ingest')
    : null;
  const { emu, child } = await startEmulator<Started>(
    path.join(__dirname, '..', 'connectors', 'quickbooks', 'emulator', 'main.js'),
    ['--customers', String(customers), '--invoices', String(invoices), '--port', '0', '--controls'],
  );
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
      connectors: () => [
        createQuickBooksConnector({
          clientId: emu.clientId,
          clientSecret: emu.clientSecret,
          environment: 'sandbox',
          baseUrl: emu.url,
        }),
      ],
    });
    try {
      const org = await createOrganization(app.db, { name: `QuickBooks bench ${Date.now()}` });
      const conn = await addConnectionFromRefreshToken(
        app,
        new OrgScope(app.db, org.id),
        { platform: 'quickbooks', externalTenantId: emu.realmId, refreshToken: emu.refreshToken },
        { type: 'system', id: 'bench' },
      );
      await fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' });

      const t0 = performance.now();
      const full = await runSync(app, {
        organizationId: org.id,
        connectionId: conn.id,
        mode: 'full',
        trigger: 'cli',
      });
      const fullMs = performance.now() - t0;
      const records = full.customers + full.invoices + full.payments + full.creditNotes;
      const counts = (await (await fetch(`${emu.url}/__emulator/counts`)).json()) as Record<string, number>;
      const floor = [counts.Term, counts.Customer, counts.Invoice, counts.Payment, counts.CreditMemo].reduce(
        (n: number, rows) => n + Math.ceil((rows ?? 0) / 1000),
        0,
      );

      await fetch(`${emu.url}/__emulator/edit-invoices?count=${Math.round(invoices / 100)}`, {
        method: 'POST',
      });
      const t1 = performance.now();
      const inc = await runSync(app, {
        organizationId: org.id,
        connectionId: conn.id,
        mode: 'incremental',
        trigger: 'schedule',
      });
      const incMs = performance.now() - t1;
      const emuStats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { rateLimited: number };

      console.log(
        JSON.stringify({
          bench: 'quickbooks-ingest',
          metrics: {
            database: process.env.DATABASE_URL ? 'postgresql' : 'pglite',
            status: full.status,
            customers: full.customers,
            invoices: full.invoices,
            payments: full.payments,
            creditNotes: full.creditNotes,
            recordErrors: full.errors.length,
            fullSyncMs: Math.round(fullMs),
            ingestRecordsPerSec: Math.round(records / (fullMs / 1000)),
            fullApiCalls: full.apiCalls,
            apiCallFloor: floor,
            apiCallRatio: Number((full.apiCalls / floor).toFixed(3)),
            emulator429s: emuStats.rateLimited,
            peakRssMb: Math.round(peakRss / 1024 / 1024),
            incrementalStatus: inc.status,
            incrementalInvoices: inc.invoices,
            incrementalApiCalls: inc.apiCalls,
            incrementalMs: Math.round(incMs),
            incrementalShareOfFull: Number((incMs / fullMs).toFixed(4)),
          },
        }),
      );
    } finally {
      await closeApp(app, 5_000);
    }
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
