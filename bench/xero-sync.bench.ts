/**
 * Xero connector sync against the emulator run as its own process, Xero's limits enforced
 * (60 calls/min, 5 in flight, 5,000/day): full sync of 20,000 contacts / 100,000 invoices, then
 * an incremental sync (If-Modified-Since) after 1 % of the invoices change. Measures the
 * connector alone (fetch + validate + map, no database ingest): API calls vs the floor at
 * pageSize=1000, 429s, records/s (wall, so including the waits the minute limit imposes, and
 * while calls were in flight), peak RSS of this process, incremental calls and time.
 * Targets: calls ≤ 1.05 × floor, zero 429s, RSS ≤ 512 MB; incremental ≤ 1.05 × ceil(changed/1000) + 5.
 * Sizes: XERO_BENCH_CUSTOMERS, XERO_BENCH_INVOICES; XERO_BENCH_MINUTE_MS shortens Xero's
 * minute on both sides for a quick run (the default is Xero's real 60 s).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

import pino from 'pino';

import type { ConnectorContext, SyncBatch } from '../connectors/types';
import { createXeroConnector } from '../connectors/xero';

const customers = Number(process.env.XERO_BENCH_CUSTOMERS ?? 20_000);
const invoices = Number(process.env.XERO_BENCH_INVOICES ?? 100_000);
const minuteMs = Number(process.env.XERO_BENCH_MINUTE_MS ?? 60_000);

interface Started {
  url: string;
  tenantId: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
}

async function main() {
  const child = spawn(
    process.execPath,
    [
      path.join(__dirname, '..', 'connectors', 'xero', 'emulator', 'main.js'),
      '--customers',
      String(customers),
      '--invoices',
      String(invoices),
      '--port',
      '0',
      '--controls',
      '--minute-ms',
      String(minuteMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const first = await new Promise<string>((resolve, reject) => {
      const rl = readline.createInterface({ input: child.stdout! });
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    const emu = JSON.parse(first) as Started;
    const connector = createXeroConnector({
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      baseUrl: emu.url,
      limits: { minuteMs },
    });
    let refreshToken = emu.refreshToken;
    let access: string | null = null;
    const ctx = (): ConnectorContext => ({
      connectionId: 'bench',
      organizationId: 'bench',
      externalTenantId: emu.tenantId,
      logger: pino({ level: 'warn' }),
      stats: { apiCalls: 0, rateLimited: 0 },
      async getAccessToken(force) {
        if (!access || force) {
          const t = await connector.oauth.refresh(refreshToken);
          refreshToken = t.refreshToken;
          access = t.accessToken;
        }
        return access;
      },
    });

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const count = { customers: 0, invoices: 0, payments: 0, creditNotes: 0, errors: 0 };
    const tally = (b: SyncBatch) => {
      count.customers += b.customers?.length ?? 0;
      count.invoices += b.invoices?.length ?? 0;
      count.payments += b.payments?.length ?? 0;
      count.creditNotes += b.creditNotes?.length ?? 0;
      count.errors += b.errors.length;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    };

    const full = ctx();
    await full.getAccessToken();
    const t0 = performance.now();
    let cursor: unknown = null;
    for await (const b of connector.sync(full, { mode: 'full', cursor: null })) {
      tally(b);
      cursor = b.cursor;
    }
    const fullMs = performance.now() - t0;
    const records = count.customers + count.invoices + count.payments + count.creditNotes + count.errors;
    const n = (await (await fetch(`${emu.url}/__emulator/counts`)).json()) as Record<string, number>;
    const pages = (x: number) => Math.max(1, Math.ceil(x / 1000));
    const floor =
      pages(n.contacts ?? 0) +
      pages(n.invoices ?? 0) +
      pages(n.creditNotes ?? 0) +
      pages(n.payments ?? 0) +
      pages(n.overpayments ?? 0) +
      pages(n.prepayments ?? 0);

    const changedCount = Math.round(invoices / 100);
    await fetch(`${emu.url}/__emulator/change-invoices?count=${changedCount}`, { method: 'POST' });
    const inc = ctx();
    await inc.getAccessToken();
    const t1 = performance.now();
    let changed = 0;
    for await (const b of connector.sync(inc, { mode: 'incremental', cursor }))
      changed += b.invoices?.length ?? 0;
    const incMs = performance.now() - t1;
    clearInterval(sampler);
    const emuStats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as {
      rateLimited: number;
      rssMb: number;
    };

    console.log(
      JSON.stringify({
        bench: 'xero-sync',
        metrics: {
          customers: count.customers,
          invoices: count.invoices,
          payments: count.payments,
          creditNotes: count.creditNotes,
          recordErrors: count.errors,
          minuteMs,
          fullSyncMs: Math.round(fullMs),
          fullApiCalls: full.stats.apiCalls,
          apiCallFloor: floor,
          apiCallRatio: Number((full.stats.apiCalls / floor).toFixed(3)),
          rateLimited: full.stats.rateLimited + inc.stats.rateLimited,
          emulator429s: emuStats.rateLimited,
          recordsPerSecWall: Math.round(records / (fullMs / 1000)),
          peakRssMb: Math.round(peakRss / 1024 / 1024),
          emulatorRssMb: emuStats.rssMb,
          incrementalChangedInvoices: changed,
          incrementalApiCalls: inc.stats.apiCalls,
          incrementalCallBudget: Math.floor(1.05 * Math.ceil(changed / 1000)) + 5,
          incrementalMs: Math.round(incMs),
        },
      }),
    );
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
