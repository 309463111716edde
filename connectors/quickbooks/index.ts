/** The QuickBooks Online connector: one object implementing AccountingConnector. */
import { ConnectorError } from '../errors';
import type { AccountingConnector, ConnectorContext } from '../types';
import { DEFAULT_RETRY, QuickBooksApi, type QuickBooksClientConfig } from './client';
import type { LimiterOptions } from './limiter';
import { createQuickBooksOAuth } from './oauth';
import { quickBooksEndpoints, type QuickBooksEnvironment } from './platform';
import { fetchQuickBooksRecords, syncQuickBooks } from './sync';
import { quickBooksWebhooks } from './webhooks';
import { createQuickBooksPayment, fetchInvoicePdf, writeInvoiceNote } from './writeBack';

export interface QuickBooksConnectorOptions {
  clientId: string;
  clientSecret: string;
  environment: QuickBooksEnvironment;
  /** `QUICKBOOKS_BASE_URL`: one origin serving every endpoint under Intuit's paths. */
  baseUrl?: string;
  retry?: { rateLimitWaitMs?: number; baseDelayMs?: number; maxAttempts?: number };
  /** Override Intuit's per-realm limits (tests). */
  limits?: LimiterOptions;
}

export function createQuickBooksConnector(opts: QuickBooksConnectorOptions): AccountingConnector {
  const cfg: QuickBooksClientConfig = {
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    environment: opts.environment,
    endpoints: quickBooksEndpoints(opts.environment, opts.baseUrl),
    retry: { ...DEFAULT_RETRY, ...definedOnly(opts.retry ?? {}) },
    limits: opts.limits,
  };
  const api = (ctx: ConnectorContext) => new QuickBooksApi(cfg, ctx);

  return {
    platform: 'quickbooks',
    displayName: 'QuickBooks Online',
    oauth: createQuickBooksOAuth(opts),

    async fetchCompanyName(ctx) {
      const body = await api(ctx).companyInfo();
      const info = ((body as { CompanyInfo?: unknown } | null)?.CompanyInfo ?? body) as {
        CompanyName?: unknown;
        LegalName?: unknown;
      } | null;
      const name = info?.CompanyName ?? info?.LegalName;
      if (typeof name !== 'string' || !name) {
        throw new ConnectorError('permanent', 'CompanyInfo has no CompanyName', { platform: 'quickbooks' });
      }
      return name;
    },

    sync: (ctx, req) => syncQuickBooks({ api: api(ctx), ctx }, req),
    fetchRecords: (ctx, refs) => fetchQuickBooksRecords({ api: api(ctx), ctx }, refs),
    webhooks: quickBooksWebhooks,
    writeNote: (ctx, req) => writeInvoiceNote(api(ctx), req),
    createPayment: (ctx, req) => createQuickBooksPayment(api(ctx), req),
    getInvoicePdf: (ctx, id) => fetchInvoicePdf(api(ctx), id),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
