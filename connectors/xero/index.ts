/** The Xero connector: one object implementing AccountingConnector. */
import { z } from 'zod';

import { validationError } from '../errors';
import type { AccountingConnector } from '../types';
import { XeroApiClient } from './client';
import { createXeroOAuth } from './oauth';
import { xeroEndpoints, type XeroLimits } from './platform';
import { XeroRateLimiter } from './rateLimiter';
import { fetchXeroRecords, syncXero } from './sync';
import { xeroWebhooks } from './webhooks';
import { createXeroPayment, getXeroInvoicePdf, writeXeroNote } from './writeBack';

export interface XeroConnectorOptions {
  clientId: string;
  clientSecret: string;
  /** `XERO_BASE_URL`: one origin serving every Xero endpoint under Xero's own paths. */
  baseUrl?: string;
  retry?: { baseDelayMs?: number; maxRetryAfterMs?: number; maxAttempts?: number; timeoutMs?: number };
  /** Overrides of Xero's limits (tests shorten the minute). */
  limits?: Partial<XeroLimits>;
  /** Records per page (Xero's maximum, 1000, by default). */
  pageSize?: number;
  /** Identity call timeout (xero-node's 3.5 s by default). */
  identityTimeoutMs?: number;
}

const organisationSchema = z.object({ Organisations: z.array(z.object({ Name: z.string() })).min(1) });

export function createXeroConnector(opts: XeroConnectorOptions): AccountingConnector {
  const endpoints = xeroEndpoints(opts.baseUrl);
  const limiter = new XeroRateLimiter({ limits: opts.limits });
  const client = new XeroApiClient(endpoints, limiter, opts.retry);
  return {
    platform: 'xero',
    displayName: 'Xero',
    oauth: createXeroOAuth({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      endpoints,
      httpTimeoutMs: opts.identityTimeoutMs,
    }),
    async fetchCompanyName(ctx) {
      const res = await client.request(ctx, { method: 'GET', path: '/Organisation', urgent: true });
      const parsed = organisationSchema.safeParse(res.body);
      if (!parsed.success)
        throw validationError('Xero /Organisation: unexpected shape', { platform: 'xero' });
      return parsed.data.Organisations[0]!.Name;
    },
    sync: (ctx, req) => syncXero(client, ctx, req, { pageSize: opts.pageSize }),
    fetchRecords: (ctx, refs) => fetchXeroRecords(client, ctx, refs),
    webhooks: xeroWebhooks,
    writeNote: (ctx, req) => writeXeroNote(client, ctx, req),
    createPayment: (ctx, req) => createXeroPayment(client, ctx, req),
    getInvoicePdf: (ctx, id) => getXeroInvoicePdf(client, ctx, id),
  };
}
