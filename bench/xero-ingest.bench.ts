/**
 * Duely's sync service against the Xero emulator run as its own process: a full sync of 20,000
 * contacts / 100,000 invoices into the database (embedded PGlite, or a scratch database on the
 * DATABASE_URL server), then an incremental sync after 1 % of the invoices change. Xero allows
 * 60 calls a minute, so with the real minute the ~190 calls of a full sync take over 3 minutes
 * whatever Duely does; to measure ingest itself, the emulator and the connector share a shortened
 * minute (XERO_BENCH_MINUTE_MS, 1,000 ms by default: the same limits, sixty times faster), and the
 * real-minute duration is reported as the calls' floor. Targets: API calls ≤ 1.05 × the floor,
 * zero 429s, ingest ≥ 5,000 records/s, peak RSS ≤ 512 MB; incremental ≤ 1.05 × ceil(changed /
 * 1000) + fixed calls. Sizes: XERO_BENCH_CUSTOMERS, XERO_BENCH_INVOICES.
 */
import { createXeroConnector } from '../connectors/xero';
import { startXeroEmulatorProcess } from './support/connectorSync';
import { fullSyncMetrics, fullThenIncrementalIngest } from './support/ingest';

const customers = Number(process.env.XERO_BENCH_CUSTOMERS ?? 20_000);
const invoices = Number(process.env.XERO_BENCH_INVOICES ?? 100_000);
const minuteMs = Number(process.env.XERO_BENCH_MINUTE_MS ?? 1_000);

async function main() {
  const { emu, child } = await startXeroEmulatorProcess({ customers, invoices, minuteMs });
  try {
    const changed = Math.round(invoices / 100);
    const r = await fullThenIncrementalIngest({
      platform: 'xero',
      connector: createXeroConnector({
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        baseUrl: emu.url,
        limits: { minuteMs },
      }),
      tenantId: emu.tenantId,
      refreshToken: emu.refreshToken,
      resetStats: () => fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' }),
      change: () => fetch(`${emu.url}/__emulator/change-invoices?count=${changed}`, { method: 'POST' }),
    });
    const n = (await (await fetch(`${emu.url}/__emulator/counts`)).json()) as Record<string, number>;
    const pages = (x: number) => Math.max(1, Math.ceil(x / 1000));
    const floor = ['contacts', 'invoices', 'creditNotes', 'payments', 'overpayments', 'prepayments'].reduce(
      (sum, k) => sum + pages(n[k] ?? 0),
      0,
    );
    const emuStats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { rateLimited: number };
    console.log(
      JSON.stringify({
        bench: 'xero-ingest',
        metrics: {
          ...fullSyncMetrics(r, floor),
          minuteMs,
          realMinuteFloorSec: Math.ceil(r.full.apiCalls / 60) * 60,
          emulator429s: emuStats.rateLimited,
          peakRssMb: r.peakRssMb,
          incrementalStatus: r.incremental.status,
          incrementalChangedInvoices: changed,
          incrementalApiCalls: r.incremental.apiCalls,
          incrementalCallBudget: Math.floor(1.05 * Math.ceil(changed / 1000)) + 6,
          incrementalMs: Math.round(r.incrementalMs),
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
