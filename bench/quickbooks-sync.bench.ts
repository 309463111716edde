/**
 * QuickBooks connector sync against the emulator run as its own process (Intuit's limits on):
 * full sync of 20,000 customers / 100,000 invoices, then an incremental sync after 1 % of the
 * invoices change. Measures the connector alone (fetch + validate + map, no database ingest):
 * API calls vs the floor, 429s, records/s, peak RSS of this process, incremental calls and time.
 * Targets: calls ≤ 1.05 × floor, zero 429s, RSS ≤ 512 MB; incremental ≤ 3 calls, ≤ 2 % of the full time.
 * Sizes: QB_BENCH_CUSTOMERS, QB_BENCH_INVOICES.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import pino from 'pino';
import { createQuickBooksConnector } from '../connectors/quickbooks';
import type { ConnectorContext, SyncBatch } from '../connectors/types';

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
  const child = spawn(
    process.execPath,
    [
      path.join(__dirname, '..', 'connectors', 'quickbooks', 'emulator', 'main.js'),
      '--customers',
      String(customers),
      '--invoices',
      String(invoices),
      '--port',
      '0',
      '--controls',
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
    const connector = createQuickBooksConnector({
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      environment: 'sandbox',
      baseUrl: emu.url,
    });
    let refreshToken = emu.refreshToken;
    let access: string | null = null;
    const ctx = (): ConnectorContext => ({
      connectionId: 'bench',
      organizationId: 'bench',
      externalTenantId: emu.realmId,
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
    const emuCounts = (await (await fetch(`${emu.url}/__emulator/counts`)).json()) as Record<string, number>;
    const rows = [
      emuCounts.Customer ?? 0,
      emuCounts.Invoice ?? 0,
      emuCounts.Payment ?? 0,
      emuCounts.CreditMemo ?? 0,
    ];
    const floor = Math.ceil((emuCounts.Term ?? 0) / 1000) + rows.reduce((n, r) => n + Math.ceil(r / 1000), 0);

    await fetch(`${emu.url}/__emulator/edit-invoices?count=${Math.round(invoices / 100)}`, {
      method: 'POST',
    });
    const inc = ctx();
    await inc.getAccessToken();
    const t1 = performance.now();
    let changed = 0;
    for await (const b of connector.sync(inc, { mode: 'incremental', cursor }))
      changed += b.invoices?.length ?? 0;
    const incMs = performance.now() - t1;
    clearInterval(sampler);
    const emuStats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { rateLimited: number };

    console.log(
      JSON.stringify({
        bench: 'quickbooks-sync',
        metrics: {
          customers: count.customers,
          invoices: count.invoices,
          payments: count.payments,
          creditNotes: count.creditNotes,
          recordErrors: count.errors,
          fullSyncMs: Math.round(fullMs),
          fullApiCalls: full.stats.apiCalls,
          apiCallFloor: floor,
          apiCallRatio: Number((full.stats.apiCalls / floor).toFixed(3)),
          rateLimited: full.stats.rateLimited + inc.stats.rateLimited,
          emulator429s: emuStats.rateLimited,
          connectorRecordsPerSec: Math.round(records / (fullMs / 1000)),
          peakRssMb: Math.round(peakRss / 1024 / 1024),
          incrementalChangedInvoices: changed,
          incrementalApiCalls: inc.stats.apiCalls,
          incrementalMs: Math.round(incMs),
          incrementalShareOfFull: Number((incMs / fullMs).toFixed(4)),
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
