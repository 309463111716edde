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
import { createXeroConnector } from '../connectors/xero';
import { fullThenIncremental, startXeroEmulatorProcess } from './support/connectorSync';

const customers = Number(process.env.XERO_BENCH_CUSTOMERS ?? 20_000);
const invoices = Number(process.env.XERO_BENCH_INVOICES ?? 100_000);
const minuteMs = Number(process.env.XERO_BENCH_MINUTE_MS ?? 60_000);

async function main() {
  const { emu, child } = await startXeroEmulatorProcess({ customers, invoices, minuteMs });
  try {
    const connector = createXeroConnector({
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      baseUrl: emu.url,
      limits: { minuteMs },
    });
    const changedCount = Math.round(invoices / 100);
    const r = await fullThenIncremental(connector, emu, () =>
      fetch(`${emu.url}/__emulator/change-invoices?count=${changedCount}`, { method: 'POST' }),
    );
    const n = (await (await fetch(`${emu.url}/__emulator/counts`)).json()) as Record<string, number>;
    const pages = (x: number) => Math.max(1, Math.ceil(x / 1000));
    const floor =
      pages(n.contacts ?? 0) +
      pages(n.invoices ?? 0) +
      pages(n.creditNotes ?? 0) +
      pages(n.payments ?? 0) +
      pages(n.overpayments ?? 0) +
      pages(n.prepayments ?? 0);
    const emuStats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as {
      rateLimited: number;
      rssMb: number;
    };

    console.log(
      JSON.stringify({
        bench: 'xero-sync',
        metrics: {
          customers: r.count.customers,
          invoices: r.count.invoices,
          payments: r.count.payments,
          creditNotes: r.count.creditNotes,
          recordErrors: r.count.errors,
          minuteMs,
          fullSyncMs: Math.round(r.full.ms),
          fullApiCalls: r.full.apiCalls,
          apiCallFloor: floor,
          apiCallRatio: Number((r.full.apiCalls / floor).toFixed(3)),
          rateLimited: r.full.rateLimited + r.incremental.rateLimited,
          emulator429s: emuStats.rateLimited,
          recordsPerSecWall: Math.round(r.records / (r.full.ms / 1000)),
          peakRssMb: r.peakRssMb,
          emulatorRssMb: emuStats.rssMb,
          incrementalChangedInvoices: r.incremental.changed,
          incrementalApiCalls: r.incremental.apiCalls,
          incrementalCallBudget: Math.floor(1.05 * Math.ceil(r.incremental.changed / 1000)) + 5,
          incrementalMs: Math.round(r.incremental.ms),
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
