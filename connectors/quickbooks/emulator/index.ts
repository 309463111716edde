/**
 * QuickBooks Online emulator: a loopback HTTP server speaking Intuit's OAuth and the Accounting
 * API subset Duely uses, seeded from the neutral generator. Used by demo mode, end-to-end tests
 * and benchmarks, always through `QUICKBOOKS_BASE_URL = emulator.url`.
 */
import { hmacBase64 } from '../../../src/crypto/tokens';
import type { GeneratorOptions } from '../../shared/generator';
import { AuthServer } from './auth';
import { createServer, listen, type EmulatorStats, type InjectedFault, type ServerState } from './server';
import { CompanyStore, ENTITY_NAMES, type EntityName, type InvoiceRow } from './store';

export interface QuickBooksEmulatorOptions {
  port?: number;
  company: GeneratorOptions;
  clientId: string;
  clientSecret: string;
  realmId?: string;
  webhookVerifierToken?: string;
  /**
   * Deliver signed webhooks here after every change (API writes and test controls), batched
   * over `webhookBatchMs` like Intuit's notifications. Needs `webhookVerifierToken`.
   */
  webhookUrl?: string;
  webhookBatchMs?: number;
  /** Intuit's limits (500 requests/min and 10 in flight per realm → 429). Default off. */
  enforceLimits?: boolean;
  limits?: { perMinute?: number; concurrent?: number; windowMs?: number };
  accessTokenTtlSeconds?: number;
  /**
   * Serve the test controls over HTTP for out-of-process use (benchmarks):
   * `POST /__emulator/edit-invoices?count=N`, `GET /__emulator/stats`, `POST /__emulator/reset-stats`,
   * `GET /__emulator/counts`. Loopback only; never enable it where anything else can reach it.
   */
  controlEndpoints?: boolean;
}

export interface WebhookChange {
  name: EntityName;
  id: string;
  operation: 'Create' | 'Update' | 'Delete' | 'Void' | 'Merge' | 'Emailed';
}

export interface QuickBooksEmulator {
  url: string;
  realmId: string;
  companyName: string;
  clientId: string;
  clientSecret: string;
  /** A refresh token for a grant on this realm, as if the firm had just connected. */
  issueRefreshToken(opts?: { openid?: boolean }): string;
  close(): Promise<void>;

  // ---- test controls ----
  /** Records per entity as a query would see them (deleted rows excluded). */
  counts(): Record<EntityName, number>;
  /** The invoice as QuickBooks would answer it (null when unknown). */
  invoice(id: string): Record<string, unknown> | null;
  /** An edit made in QuickBooks: new SyncToken and LastUpdatedTime. */
  editInvoice(id: string, change?: { privateNote?: string | null }): void;
  voidInvoice(id: string): void;
  deleteInvoice(id: string): void;
  /** Edit `count` invoices spread across the company; returns their ids. */
  editInvoices(count: number): string[];
  injectFault(fault: InjectedFault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  setEnforceLimits(on: boolean): void;
  expireAccessTokens(): void;
  revokeAll(): void;
  stats(): EmulatorStats & { tokenRequests: { authorization_code: number; refresh_token: number } };
  resetStats(): void;
  /** POST a signed legacy `eventNotifications` payload to `targetUrl`. */
  deliverWebhook(targetUrl: string, changes: WebhookChange[]): Promise<{ status: number; body: string }>;
}

const emptyStats = (): EmulatorStats => ({
  requests: 0,
  apiRequests: 0,
  rateLimited: 0,
  unauthorized: 0,
  byRoute: {},
  maxInFlight: 0,
});

export async function startQuickBooksEmulator(opts: QuickBooksEmulatorOptions): Promise<QuickBooksEmulator> {
  const store = new CompanyStore(opts.company);
  const auth = new AuthServer(opts.clientId, opts.clientSecret);
  if (opts.accessTokenTtlSeconds) auth.accessTokenTtlSeconds = opts.accessTokenTtlSeconds;
  const realmId = opts.realmId ?? String(9130350000000000 + (opts.company.seed % 100000));
  const state: ServerState = {
    store,
    auth,
    realmId,
    enforceLimits: opts.enforceLimits ?? false,
    limits: {
      perMinute: opts.limits?.perMinute ?? 500,
      concurrent: opts.limits?.concurrent ?? 10,
      windowMs: opts.limits?.windowMs ?? 60_000,
    },
    latencyMs: 0,
    faults: [],
    stats: emptyStats(),
    idempotency: new Map(),
    inFlight: 0,
    window: [],
    cdcCap: 1000,
  };
  if (opts.controlEndpoints) {
    state.control = (method, path, query) => {
      if (method === 'POST' && path === 'edit-invoices')
        return { ids: emulator.editInvoices(Number(query.get('count') ?? '1')) };
      if (method === 'GET' && path === 'stats') return emulator.stats();
      if (method === 'POST' && path === 'reset-stats') return emulator.resetStats();
      if (method === 'GET' && path === 'counts') return emulator.counts();
      return { error: `unknown control ${method} ${path}` };
    };
  }
  const server = createServer(state);
  const webhookDeliveries: Promise<unknown>[] = [];
  let timer: NodeJS.Timeout | null = null;
  if (opts.webhookUrl) {
    const target = opts.webhookUrl;
    let pending: WebhookChange[] = [];
    store.onChange = (name, id, operation) => {
      pending.push({ name, id: String(id), operation });
      timer ??= setTimeout(() => {
        timer = null;
        const changes = pending;
        pending = [];
        const delivery = emulator.deliverWebhook(target, changes).catch((e: unknown) => {
          process.emitWarning(`quickbooks emulator: webhook delivery to ${target} failed: ${String(e)}`);
        });
        webhookDeliveries.push(delivery);
      }, opts.webhookBatchMs ?? 50);
    };
  }
  const url = await listen(server, opts.port ?? 0);

  const invoiceRow = (id: string): InvoiceRow => {
    const row = store.find(store.invoices, id);
    if (!row || row.deleted) throw new Error(`emulator: no invoice ${id}`);
    return row;
  };

  const emulator: QuickBooksEmulator = {
    url,
    realmId,
    companyName: store.companyName,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    issueRefreshToken: (o) =>
      auth.issueRefreshToken(
        realmId,
        o?.openid ? ['com.intuit.quickbooks.accounting', 'openid', 'profile', 'email'] : undefined,
      ),
    close: async () => {
      store.onChange = null;
      if (timer) clearTimeout(timer);
      await Promise.all(webhookDeliveries);
      return new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
    },

    counts() {
      const out = {} as Record<EntityName, number>;
      for (const e of ENTITY_NAMES) out[e] = store.table(e).filter((r) => !r.deleted).length;
      return out;
    },
    invoice(id) {
      const row = store.find(store.invoices, id);
      return row ? store.render('Invoice', row) : null;
    },
    editInvoice(id, change) {
      const row = invoiceRow(id);
      if (change && 'privateNote' in change) store.setInvoiceNote(row, change.privateNote ?? null);
      else store.touch(row, 'Invoice');
    },
    voidInvoice: (id) => store.voidInvoice(invoiceRow(id)),
    deleteInvoice: (id) => store.deleteRow(invoiceRow(id), 'Invoice'),
    editInvoices(count) {
      const live = store.invoices.filter((r) => !r.deleted);
      const step = Math.max(1, Math.floor(live.length / Math.max(1, count)));
      const ids: string[] = [];
      for (let i = 0; i < live.length && ids.length < count; i += step) {
        const row = live[i]!;
        store.setInvoiceNote(row, `${row.note ? row.note + '\n' : ''}Edited in QuickBooks`);
        ids.push(String(row.id));
      }
      return ids;
    },
    injectFault: (f) => state.faults.push({ times: 1, ...f }),
    clearFaults: () => {
      state.faults.length = 0;
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    setEnforceLimits: (on) => {
      state.enforceLimits = on;
    },
    expireAccessTokens: () => auth.expireAccessTokens(),
    revokeAll: () => auth.revokeAll(),
    stats: () => ({
      ...state.stats,
      byRoute: { ...state.stats.byRoute },
      tokenRequests: { ...auth.tokenRequests },
    }),
    resetStats() {
      state.stats = emptyStats();
      auth.tokenRequests.authorization_code = 0;
      auth.tokenRequests.refresh_token = 0;
    },
    async deliverWebhook(targetUrl, changes) {
      if (!opts.webhookVerifierToken)
        throw new Error('emulator: start it with webhookVerifierToken to deliver webhooks');
      const lastUpdated = new Date().toISOString().replace(/\.\d{3}Z$/, '.000Z');
      const body = JSON.stringify({
        eventNotifications: [
          {
            realmId,
            dataChangeEvent: {
              entities: changes.map((c) => ({ name: c.name, id: c.id, operation: c.operation, lastUpdated })),
            },
          },
        ],
      });
      const res = await fetch(targetUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'intuit-signature': hmacBase64(opts.webhookVerifierToken, body),
        },
        body,
      });
      return { status: res.status, body: await res.text() };
    },
  };
  return emulator;
}
