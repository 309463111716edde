/**
 * QuickBooks connector sync against the emulator run as its own process (Intuit's limits on):
 * full sync of 20,000 customers / 100,000 invoices, then an incremental sync after 1 % of the
 * invoices change. Measures the connector alone (fetch + validate + map, no database ingest):
 * API calls vs the floor, 429s, records/s, peak RSS of this process, incremental calls and time.
 * Targets: calls ≤ 1.05 × floor, zero 429s, RSS ≤ 512 MB; incremental ≤ 3 calls, ≤ 2 % of the full time.
 * Sizes: QB_BENCH_CUSTOMERS, QB_BENCH_INVOICES.
 */
import path from 'node:path';
import { createQuickBooksConnector } from '../connectors/quickbooks';
import { fullThenIncremental, startEmulator } from './support/connectorSync';

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
    const connector = createQuickBooksConnector({
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      environment: 'sandbox',
      baseUrl: emu.url,
    });
    const r = await fullThenIncremental(
      connector,
      { tenantId: emu.realmId, refreshToken: emu.refreshToken },
      () =>
        fetch(`${emu.url}/__emulator/edit-invoices?count=${Math.round(invoices / 100)}`, { method: 'POST' }),
    );
    const emuCounts = (await (await fetch(`${emu.url}/__emulator/counts`)).json()) as Record<string, number>;
    const rows = [
      emuCounts.Customer ?? 0,
      emuCounts.Invoice ?? 0,
      emuCounts.Payment ?? 0,
      emuCounts.CreditMemo ?? 0,
    ];
    const floor = Math.ceil((emuCounts.Term ?? 0) / 1000) + rows.reduce((n, x) => n + Math.ceil(x / 1000), 0);
    const emuStats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { rateLimited: number };

    console.log(
      JSON.stringify({
        bench: 'quickbooks-sync',
        metrics: {
          customers: r.count.customers,
          invoices: r.count.invoices,
          payments: r.count.payments,
          creditNotes: r.count.creditNotes,
          recordErrors: r.count.errors,
          fullSyncMs: Math.round(r.full.ms),
          fullApiCalls: r.full.apiCalls,
          apiCallFloor: floor,
          apiCallRatio: Number((r.full.apiCalls / floor).toFixed(3)),
          rateLimited: r.full.rateLimited + r.incremental.rateLimited,
          emulator429s: emuStats.rateLimited,
          connectorRecordsPerSec: Math.round(r.records / (r.full.ms / 1000)),
          peakRssMb: r.peakRssMb,
          incrementalChangedInvoices: r.incremental.changed,
          incrementalApiCalls: r.incremental.apiCalls,
          incrementalMs: Math.round(r.incremental.ms),
          incrementalShareOfFull: Number((r.incremental.ms / r.full.ms).toFixed(4)),
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
