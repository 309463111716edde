/**
 * What the two connector sync benchmarks share: the platform emulator in a process of its own
 * (it prints one JSON line describing itself), a connector context that refreshes its token from
 * the emulator, and a full then an incremental sync with records counted and peak RSS sampled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import pino from 'pino';
import type { AccountingConnector, ConnectorContext, SyncBatch } from '../../connectors/types';

/** Start an emulator script; resolves with its first stdout line parsed, and the process. */
export async function startEmulator<T>(
  script: string,
  args: string[],
): Promise<{ emu: T; child: ChildProcess }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { emu: JSON.parse(first) as T, child };
}

/** The Xero emulator as its own process, with a generated company and Xero's limits per `minuteMs`. */
export function startXeroEmulatorProcess(size: { customers: number; invoices: number; minuteMs: number }) {
  return startEmulator<{
    url: string;
    tenantId: string;
    refreshToken: string;
    clientId: string;
    clientSecret: string;
  }>(path.join(__dirname, '..', '..', 'connectors', 'xero', 'emulator', 'main.js'), [
    ...['--customers', String(size.customers), '--invoices', String(size.invoices)],
    ...['--port', '0', '--controls', '--minute-ms', String(size.minuteMs)],
  ]);
}

export interface SyncCounts {
  customers: number;
  invoices: number;
  payments: number;
  creditNotes: number;
  errors: number;
}

/** Full sync, then `change()` on the emulator, then an incremental sync from the full sync's cursor. */
export async function fullThenIncremental(
  connector: AccountingConnector,
  emu: { tenantId: string; refreshToken: string },
  change: () => Promise<unknown>,
) {
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
  const count: SyncCounts = { customers: 0, invoices: 0, payments: 0, creditNotes: 0, errors: 0 };
  const tally = (b: SyncBatch) => {
    count.customers += b.customers?.length ?? 0;
    count.invoices += b.invoices?.length ?? 0;
    count.payments += b.payments?.length ?? 0;
    count.creditNotes += b.creditNotes?.length ?? 0;
    count.errors += b.errors.length;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };

  try {
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

    await change();
    const inc = ctx();
    await inc.getAccessToken();
    const t1 = performance.now();
    let changed = 0;
    for await (const b of connector.sync(inc, { mode: 'incremental', cursor }))
      changed += b.invoices?.length ?? 0;
    const incMs = performance.now() - t1;
    return {
      count,
      records,
      full: { ms: fullMs, apiCalls: full.stats.apiCalls, rateLimited: full.stats.rateLimited },
      incremental: { ms: incMs, apiCalls: inc.stats.apiCalls, rateLimited: inc.stats.rateLimited, changed },
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
  } finally {
    clearInterval(sampler);
  }
}
