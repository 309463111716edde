/**
 * Duely's sync service (runSync: connector + batched upserts + cursor per batch) against the
 * QuickBooks emulator run as its own process with Intuit's limits on: a full sync of 20,000
 * customers / 100,000 invoices into the database (embedded PGlite, or a scratch database on the
 * DATABASE_URL server), then an incremental sync after 1 % of the invoices change.
 * Targets: API calls ≤ 1.05 × floor, zero 429s, ingest ≥ 5,000 records/s, peak RSS ≤ 512 MB;
 * incremental ≤ 3 calls and ≤ 2 % of the full sync's time. Sizes: QB_BENCH_CUSTOMERS, QB_BENCH_INVOICES.
 */
import path from 'node:path';
import { createQuickBooksConnector } from '../connectors/quickbooks';
import { startEmulator } from './support/connectorSync';
import { fullSyncMetrics, fullThenIncrementalIngest } from './support/ingest';

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
  const { emu, child } = await startEmulator<Started>(
    path.join(__dirname, '..', 'connectors', 'quickbooks', 'emulator', 'main.js'),
    ['--customers', String(customers), '--invoices', String(invoices), '--port', '0', '--controls'],
  );
  try {
    const r = await fullThenIncrementalIngest({
      platform: 'quickbooks',
      connector: createQuickBooksConnector({
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        environment: 'sandbox',
        baseUrl: emu.url,
      }),
      tenantId: emu.realmId,
      refreshToken: emu.refreshToken,
      resetStats: () => fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' }),
      change: () =>
        fetch(`${emu.url}/__emulator/edit-invoices?count=${Math.round(invoices / 100)}`, { method: 'POST' }),
    });
    const counts = (await (await fetch(`${emu.url}/__emulator/counts`)).json()) as Record<string, number>;
    const floor = [counts.Term, counts.Customer, counts.Invoice, counts.Payment, counts.CreditMemo].reduce(
      (n: number, rows) => n + Math.ceil((rows ?? 0) / 1000),
      0,
    );
    const emuStats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { rateLimited: number };
    console.log(
      JSON.stringify({
        bench: 'quickbooks-ingest',
        metrics: {
          ...fullSyncMetrics(r, floor),
          emulator429s: emuStats.rateLimited,
          peakRssMb: r.peakRssMb,
          incrementalStatus: r.incremental.status,
          incrementalInvoices: r.incremental.invoices,
          incrementalApiCalls: r.incremental.apiCalls,
          incrementalMs: Math.round(r.incrementalMs),
          incrementalShareOfFull: Number((r.incrementalMs / r.fullMs).toFixed(4)),
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
