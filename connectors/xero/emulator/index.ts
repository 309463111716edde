/**
 * A loopback Xero: identity (discovery, authorize, token with rotation and grace, revocation),
 * `/connections`, and the accounting endpoints Duely uses, in Xero's real shapes, with its
 * paging, `If-Modified-Since`, `IDs`/`where` filters, rate limits (headers and 429s),
 * validation errors, Idempotency-Key, History, Payments and PDFs; plus signed webhooks.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { hmacBase64 } from '../../../src/crypto/tokens';
import { parseMoney } from '../../../src/domain/money';
import type { GeneratorOptions } from '../../shared/generator';
import { toXeroDate } from '../mapping/dates';
import { XERO_HISTORY_DETAILS_MAX, XERO_LIMITS, XERO_PATHS, type XeroLimits } from '../platform';
import { IdentityServer } from './identity';
import { guid, TenantBooks, type InvoiceRec } from './store';
import { parseWhere, type Getter } from './where';

export interface XeroEmulatorOptions {
  port?: number;
  company: GeneratorOptions;
  clientId: string;
  clientSecret: string;
  /** Organisations behind the one user (the first holds `company`; the others are small). */
  tenants?: number;
  webhookKey?: string;
  /** Enforce Xero's limits with 429s (the headers are always sent). */
  enforceLimits?: boolean;
  limits?: Partial<XeroLimits>;
  /** Keep every accounting request and response (contract tests). */
  record?: boolean;
  /** Serve test controls over HTTP under `/__emulator/` (benchmarks run the emulator apart). */
  controls?: boolean;
}

export interface RecordedExchange {
  method: string;
  /** Path under `/api.xro/2.0` or the identity path. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  responseBody: unknown;
  contentType: string | null;
}

export interface XeroEmulator {
  url: string;
  tenantId: string;
  tenantIds: string[];
  companyName: string;
  issueRefreshToken(tenantIds?: string[]): string;
  close(): Promise<void>;
  // ---- test controls ----
  books(tenantId?: string): TenantBooks;
  identity: IdentityServer;
  readonly recorded: RecordedExchange[];
  /** Accounting calls served (including 429s), per tenant. */
  callCount(tenantId?: string): number;
  rateLimitedCount(): number;
  setLatency(ms: number): void;
  /**
   * The next `count` accounting calls (optionally matching a path prefix, after letting `skip`
   * matching calls through) answer `status`.
   */
  failNext(count: number, status: number, pathPrefix?: string, skip?: number): void;
  clearFailures(): void;
  resetCallCounts(): void;
  /** Pretend this many calls are left today for the tenant. */
  setDayRemaining(remaining: number, tenantId?: string): void;
  enforceLimits(on: boolean): void;
  /** Modify `count` ACCREC invoices (paid in full or part) with a fresh UpdatedDateUTC. */
  changeInvoices(count: number, tenantId?: string): string[];
  deleteInvoice(invoiceId: string, tenantId?: string): void;
  voidInvoice(invoiceId: string, tenantId?: string): void;
  archiveContact(contactId: string, tenantId?: string): void;
  /** POST a webhook to `target` signed with the webhook key (or wrongly when `badSignature`). */
  deliverWebhook(
    target: string,
    events: { resourceId: string; eventCategory: string; eventType: string; tenantId?: string }[],
    opts?: { badSignature?: boolean },
  ): Promise<{ status: number; body: string }>;
  /** Xero's intent-to-receive check: a correctly and an incorrectly signed empty delivery. */
  intentToReceive(
    target: string,
  ): Promise<{ passed: boolean; goodStatus: number; badStatus: number; goodBody: string }>;
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

interface TenantLimitState {
  minute: number[];
  inFlight: number;
  dayUsed: number;
  calls: number;
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

function envelope(extra: Record<string, unknown>) {
  return {
    Id: crypto.randomUUID(),
    Status: 'OK',
    ProviderName: 'Duely emulator',
    DateTimeUTC: toXeroDate(Date.now()),
    ...extra,
  };
}

function validationError(message: string, elements: unknown[] = []) {
  return {
    ErrorNumber: 10,
    Type: 'ValidationException',
    Message: 'A validation exception occurred',
    Elements: elements.length ? elements : [{ ValidationErrors: [{ Message: message }] }],
  };
}

export async function startXeroEmulator(opts: XeroEmulatorOptions): Promise<XeroEmulator> {
  const limits: XeroLimits = { ...XERO_LIMITS, ...opts.limits };
  let enforce = !!opts.enforceLimits;
  const tenantCount = Math.max(1, opts.tenants ?? 1);
  const books = new Map<string, TenantBooks>();
  const tenantIds: string[] = [];
  for (let k = 0; k < tenantCount; k++) {
    const id = guid('tenant', opts.company.seed, k);
    const companyOpts =
      k === 0
        ? opts.company
        : { ...opts.company, seed: opts.company.seed + k, customers: 5, invoices: 12, malformed: 0 };
    books.set(id, new TenantBooks(id, companyOpts));
    tenantIds.push(id);
  }
  const primary = tenantIds[0]!;
  const limitState = new Map<string, TenantLimitState>(
    tenantIds.map((t) => [t, { minute: [], inFlight: 0, dayUsed: 0, calls: 0 }]),
  );
  const appMinute: number[] = [];
  let rateLimited = 0;
  let latency = 0;
  const failures: { count: number; status: number; prefix?: string; skip: number }[] = [];
  const recorded: RecordedExchange[] = [];
  let url = '';
  const identity = new IdentityServer(
    () => url,
    opts.clientId,
    opts.clientSecret,
    () => tenantIds,
  );
  const bookOf = (t?: string) => {
    const b = books.get(t ?? primary);
    if (!b) throw new Error(`unknown tenant ${t}`);
    return b;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ Message: e instanceof Error ? e.message : String(e) }));
        }
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const path = u.pathname;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        date: new Date().toUTCString(),
        ...headers,
      });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    // ---- identity ----
    if (req.method === 'GET' && path === XERO_PATHS.discovery) return json(200, identity.discovery());
    if (req.method === 'GET' && path === XERO_PATHS.jwks) return json(200, identity.jwks());
    if (req.method === 'GET' && path === XERO_PATHS.authorize) {
      const r = identity.authorize(u.searchParams);
      if (r.location) {
        res.writeHead(302, { location: r.location });
        return res.end();
      }
      return json(r.status, { error: r.error });
    }
    if (req.method === 'POST' && path === XERO_PATHS.token) {
      const r = identity.token(req.headers.authorization, new URLSearchParams(raw.toString('utf8')));
      if (identity.holdTokenResponses.count > 0) {
        identity.holdTokenResponses.count -= 1;
        // the token was rotated, but the answer never arrives in time
        await new Promise((r2) => setTimeout(r2, identity.holdTokenResponses.ms));
        res.destroy();
        return;
      }
      return json(r.status, r.body, { 'cache-control': 'no-store' });
    }
    if (req.method === 'POST' && path === XERO_PATHS.revocation) {
      const status = identity.revoke(req.headers.authorization, new URLSearchParams(raw.toString('utf8')));
      return json(status, status === 200 ? undefined : { error: 'invalid_client' });
    }
    if (req.method === 'GET' && path.toLowerCase() === XERO_PATHS.connections) {
      const st = identity.bearer(req.headers.authorization);
      if (!st) return json(401, { Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' });
      const latest = new Map<string, { authEventId: string; order: number }>();
      identity.grants.forEach((g, order) => {
        if (g.revoked || g.userId !== st.grant.userId) return;
        for (const t of g.tenantIds) latest.set(t, { authEventId: g.authEventId, order });
      });
      const created = new Date(Date.now() - 86_400_000).toISOString().replace('Z', '');
      return json(
        200,
        [...latest.entries()].map(([t, v]) => ({
          id: guid('connection', t, v.authEventId),
          authEventId: v.authEventId,
          tenantId: t,
          tenantType: 'ORGANISATION',
          tenantName: bookOf(t).name,
          createdDateUtc: created,
          updatedDateUtc: new Date(Date.now() - (1000 - v.order) * 1000).toISOString().replace('Z', ''),
        })),
      );
    }
    if (opts.controls && path.startsWith('/__emulator/'))
      return control(path.slice(12), u.searchParams, json);
    if (!path.startsWith(XERO_PATHS.accounting + '/')) return json(404, { Message: 'Not found' });

    // ---- accounting ----
    const apiPath = path.slice(XERO_PATHS.accounting.length);
    const tenantId = String(req.headers['xero-tenant-id'] ?? '');
    const query = Object.fromEntries(u.searchParams.entries());
    let bodyJson: unknown = undefined;
    if (raw.length) {
      try {
        bodyJson = JSON.parse(raw.toString('utf8'));
      } catch {
        bodyJson = raw.toString('utf8');
      }
    }
    const send: Send = (status, body, headers = {}) => {
      const isPdf = Buffer.isBuffer(body);
      if (opts.record)
        recorded.push({
          method: req.method ?? 'GET',
          path: apiPath,
          query,
          headers: pick(req.headers, [
            'if-modified-since',
            'idempotency-key',
            'accept',
            'content-type',
            'xero-tenant-id',
          ]),
          body: bodyJson,
          status,
          responseBody: isPdf ? null : body,
          contentType: isPdf ? 'application/pdf' : 'application/json',
        });
      res.writeHead(status, {
        'content-type': isPdf ? 'application/pdf' : 'application/json; charset=utf-8',
        date: new Date().toUTCString(),
        ...headers,
      });
      res.end(isPdf ? body : body === undefined ? '' : JSON.stringify(body));
    };
    const st = identity.bearer(req.headers.authorization);
    if (!st)
      return send(401, {
        Type: null,
        Title: 'Unauthorized',
        Status: 401,
        Detail: 'AuthenticationUnsuccessful',
      });
    const lim = limitState.get(tenantId);
    if (!lim || !st.grant.tenantIds.includes(tenantId))
      return send(403, { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' });

    // rate limits: count this call, then refuse it if over a limit
    const now = Date.now();
    while (lim.minute.length && lim.minute[0]! <= now - limits.minuteMs) lim.minute.shift();
    while (appMinute.length && appMinute[0]! <= now - limits.minuteMs) appMinute.shift();
    lim.calls += 1;
    let problem: string | null = null;
    let retryAfterS = 1;
    if (enforce) {
      if (lim.dayUsed >= limits.perDay) {
        problem = 'day';
        retryAfterS = 3600;
      } else if (lim.minute.length >= limits.perMinute) {
        problem = 'minute';
        retryAfterS = Math.max(1, Math.ceil((lim.minute[0]! + limits.minuteMs - now) / 1000));
      } else if (appMinute.length >= limits.appPerMinute) {
        problem = 'appminute';
        retryAfterS = Math.max(1, Math.ceil((appMinute[0]! + limits.minuteMs - now) / 1000));
      } else if (lim.inFlight >= limits.concurrent) {
        problem = 'concurrent';
      }
    }
    const limitHeaders = () => ({
      'X-MinLimit-Remaining': String(Math.max(0, limits.perMinute - lim.minute.length)),
      'X-DayLimit-Remaining': String(Math.max(0, limits.perDay - lim.dayUsed)),
      'X-AppMinLimit-Remaining': String(Math.max(0, limits.appPerMinute - appMinute.length)),
    });
    if (problem) {
      rateLimited += 1;
      return send(429, undefined, {
        'Retry-After': String(retryAfterS),
        'X-Rate-Limit-Problem': problem,
        ...limitHeaders(),
      });
    }
    lim.minute.push(now);
    appMinute.push(now);
    lim.dayUsed += 1;
    lim.inFlight += 1;
    let settled = false;
    const settle = () => {
      if (!settled) lim.inFlight -= 1;
      settled = true;
    };
    res.on('finish', settle);
    res.on('close', settle);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const failure = failures.find((f) => f.count > 0 && (!f.prefix || apiPath.startsWith(f.prefix)));
    if (failure && failure.skip > 0) failure.skip -= 1;
    else if (failure) {
      failure.count -= 1;
      return send(failure.status, { Message: 'Injected failure' }, limitHeaders());
    }
    const out: Send = (status, body, headers = {}) => send(status, body, { ...limitHeaders(), ...headers });
    routeAccounting(
      bookOf(tenantId),
      req.method ?? 'GET',
      apiPath,
      u.searchParams,
      req.headers,
      bodyJson,
      out,
    );
  }

  /** HTTP test controls for an emulator in another process. */
  function control(name: string, q: URLSearchParams, json: (s: number, b: unknown) => void) {
    const b = bookOf(q.get('tenant') ?? undefined);
    if (name === 'counts')
      return json(200, {
        contacts: b.contacts.length,
        invoices: b.invoices.filter((i) => i.type === 'ACCREC').length,
        bills: b.invoices.filter((i) => i.type === 'ACCPAY').length,
        payments: b.payments.length,
        creditNotes: b.creditNotes.length,
        overpayments: b.overpayments.filter((o) => o.kind === 'RECEIVE-OVERPAYMENT').length,
        prepayments: b.prepayments.length,
      });
    if (name === 'stats')
      return json(200, {
        rateLimited,
        calls: limitState.get(b.tenantId)?.calls ?? 0,
        rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      });
    if (name === 'change-invoices')
      return json(200, { changed: api.changeInvoices(Number(q.get('count') ?? 1), b.tenantId).length });
    if (name === 'reset-stats') {
      rateLimited = 0;
      for (const st of limitState.values()) st.calls = 0;
      return json(200, {});
    }
    return json(404, { Message: 'unknown control' });
  }

  function routeAccounting(
    b: TenantBooks,
    method: string,
    path: string,
    q: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    body: unknown,
    send: Send,
  ) {
    const seg = path.split('/').filter(Boolean);
    const key = String(headers['idempotency-key'] ?? '');
    const idem = (fn: () => { status: number; body: unknown }) => {
      const scoped = key ? `${method} ${path} ${key}` : '';
      const prior = scoped ? b.idempotent.get(scoped) : undefined;
      if (prior) return send(prior.status, prior.body);
      const r = fn();
      if (scoped && r.status < 500) b.idempotent.set(scoped, r);
      send(r.status, r.body);
    };
    if (method === 'GET' && seg.length === 1 && seg[0] === 'Organisation')
      return send(
        200,
        envelope({
          Organisations: [
            {
              OrganisationID: b.tenantId,
              Name: b.name,
              LegalName: b.name,
              BaseCurrency: b.currency,
              CountryCode: 'US',
              OrganisationStatus: 'ACTIVE',
              IsDemoCompany: true,
              OrganisationType: 'COMPANY',
              Timezone: 'EASTERNSTANDARDTIME',
            },
          ],
        }),
      );
    if (method === 'GET' && seg.length === 1) {
      const coll = collections(b)[seg[0]!];
      if (!coll) return send(404, { Message: 'The resource you are looking for could not be found' });
      return listCollection(b, coll, q, headers, send);
    }
    if (seg[0] === 'Invoices' && seg.length >= 2) {
      const inv = b.invoiceById.get(seg[1]!);
      if (!inv) return send(404, { Message: 'The resource you are looking for could not be found' });
      if (seg.length === 2 && method === 'GET') {
        if (String(headers.accept ?? '').includes('application/pdf')) return send(200, PDF);
        return send(200, envelope({ Invoices: [b.renderInvoice(inv)] }));
      }
      if (seg.length === 3 && seg[2] === 'History') {
        const render = (h: NonNullable<InvoiceRec['history']>[number]) => ({
          Changes: h.changes,
          DateUTCString: new Date(h.dateMs).toISOString().slice(0, 19),
          DateUTC: toXeroDate(h.dateMs),
          User: 'Duely',
          Details: h.details,
        });
        if (method === 'GET') return send(200, envelope({ HistoryRecords: (inv.history ?? []).map(render) }));
        if (method === 'PUT')
          return idem(() => {
            const recs = (body as { HistoryRecords?: { Details?: unknown }[] } | undefined)?.HistoryRecords;
            if (!Array.isArray(recs) || recs.length === 0)
              return { status: 400, body: validationError('HistoryRecords is required') };
            for (const r of recs) {
              if (typeof r.Details !== 'string' || !r.Details.trim())
                return { status: 400, body: validationError('Details is required') };
              if (r.Details.length > XERO_HISTORY_DETAILS_MAX)
                return {
                  status: 400,
                  body: validationError('The Details must not be more than 250 characters long.'),
                };
            }
            const added = recs.map((r) => ({
              details: String(r.Details),
              changes: 'Note',
              dateMs: Date.now(),
            }));
            inv.history = [...(inv.history ?? []), ...added];
            return { status: 200, body: envelope({ HistoryRecords: added.map(render) }) };
          });
      }
    }
    if (seg[0] === 'Payments' && seg.length === 1 && method === 'PUT')
      return idem(() => createPayments(b, body));
    if (seg[0] === 'Payments' && seg.length === 2 && method === 'GET') {
      const p = b.payments.find((x) => x.id === seg[1]);
      if (!p) return send(404, { Message: 'The resource you are looking for could not be found' });
      return send(200, envelope({ Payments: [b.renderPayment(p)] }));
    }
    return send(404, { Message: 'The resource you are looking for could not be found' });
  }

  function createPayments(b: TenantBooks, body: unknown): { status: number; body: unknown } {
    const list = (body as { Payments?: unknown[] } | undefined)?.Payments;
    if (!Array.isArray(list) || list.length === 0)
      return { status: 400, body: validationError('Payments is required') };
    const created = [];
    for (const raw of list) {
      const p = raw as {
        Invoice?: { InvoiceID?: string };
        Account?: { AccountID?: string; Code?: string };
        Amount?: number;
        Date?: string;
        Reference?: string;
      };
      const inv = p.Invoice?.InvoiceID ? b.invoiceById.get(p.Invoice.InvoiceID) : undefined;
      const fail = (m: string) => ({
        status: 400,
        body: validationError(m, [{ ...p, ValidationErrors: [{ Message: m }] }]),
      });
      if (!inv) return fail('Invoice could not be found');
      if (!p.Account?.AccountID && !p.Account?.Code) return fail('Account code or AccountID is required');
      if (typeof p.Amount !== 'number' || !(p.Amount > 0))
        return fail('Payment amount must be greater than zero');
      if (!p.Date || !/^\d{4}-\d{2}-\d{2}$/.test(p.Date)) return fail('Date is required');
      if (inv.status !== 'AUTHORISED') return fail('Payment can only be applied to an AUTHORISED invoice');
      const amount = parseMoney(p.Amount);
      if (amount > b.amountDue(inv))
        return fail('Payment amount exceeds the amount outstanding on this document');
      const rec = {
        id: crypto.randomUUID(),
        invoiceId: inv.id,
        date: p.Date,
        amount,
        reference: p.Reference ?? '',
        accountCode: p.Account.Code ?? '090',
        status: 'AUTHORISED' as const,
        updatedMs: b.touch(),
      };
      b.payments.push(rec);
      inv.paid += amount;
      if (b.amountDue(inv) === 0n) inv.status = 'PAID';
      inv.updatedMs = rec.updatedMs;
      b.invalidateBalances();
      created.push(b.renderPayment(rec));
    }
    return { status: 200, body: envelope({ Payments: created }) };
  }

  interface Collection {
    listKey: string;
    items: () => readonly { id: string; updatedMs: number }[];
    render: (r: never) => unknown;
    get: (r: never) => Getter;
    idsParam: boolean;
  }

  function collections(b: TenantBooks): Record<string, Collection> {
    return {
      Contacts: {
        listKey: 'Contacts',
        items: () => b.contacts,
        render: (c: never) => b.renderContact(c),
        get: (c: TenantBooks['contacts'][number]) => (f: string) =>
          f === 'ContactID' ? c.id : f === 'ContactStatus' ? c.status : f === 'Name' ? c.gen.name : undefined,
        idsParam: true,
      },
      Invoices: {
        listKey: 'Invoices',
        items: () => b.invoices,
        render: (i: never) => b.renderInvoice(i),
        get: (i: InvoiceRec) => (f: string) =>
          f === 'InvoiceID'
            ? i.id
            : f === 'Type'
              ? i.type
              : f === 'Status'
                ? i.status
                : f === 'Contact.ContactID'
                  ? i.contactId
                  : undefined,
        idsParam: true,
      },
      Payments: {
        listKey: 'Payments',
        items: () => b.payments,
        render: (p: never) => b.renderPayment(p),
        get: (p: TenantBooks['payments'][number]) => (f: string) =>
          f === 'PaymentID'
            ? p.id
            : f === 'PaymentType'
              ? b.invoiceById.get(p.invoiceId)?.type === 'ACCREC'
                ? 'ACCRECPAYMENT'
                : 'ACCPAYPAYMENT'
              : f === 'Status'
                ? p.status
                : undefined,
        idsParam: false,
      },
      CreditNotes: {
        listKey: 'CreditNotes',
        items: () => b.creditNotes,
        render: (c: never) => b.renderCreditNote(c),
        get: (c: TenantBooks['creditNotes'][number]) => (f: string) =>
          f === 'CreditNoteID' ? c.id : f === 'Type' ? 'ACCRECCREDIT' : f === 'Status' ? c.status : undefined,
        idsParam: false,
      },
      Overpayments: {
        listKey: 'Overpayments',
        items: () => b.overpayments,
        render: (o: never) => b.renderPrepayment(o),
        get: (o: TenantBooks['overpayments'][number]) => (f: string) =>
          f === 'OverpaymentID' ? o.id : f === 'Type' ? o.kind : f === 'Status' ? o.status : undefined,
        idsParam: false,
      },
      Prepayments: {
        listKey: 'Prepayments',
        items: () => b.prepayments,
        render: (o: never) => b.renderPrepayment(o),
        get: (o: TenantBooks['prepayments'][number]) => (f: string) =>
          f === 'PrepaymentID' ? o.id : f === 'Type' ? o.kind : f === 'Status' ? o.status : undefined,
        idsParam: false,
      },
    } as unknown as Record<string, Collection>;
  }

  function listCollection(
    _b: TenantBooks,
    coll: Collection,
    q: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    send: Send,
  ) {
    const where = parseWhere(q.get('where'));
    if (typeof where !== 'function') return send(400, validationError(where.error));
    const imsHeader = headers['if-modified-since'];
    let since: number | null = null;
    if (typeof imsHeader === 'string' && imsHeader) {
      since = Date.parse(imsHeader);
      if (Number.isNaN(since)) return send(400, validationError('If-Modified-Since is not a valid date'));
    }
    const ids = coll.idsParam && q.get('IDs') ? new Set(q.get('IDs')!.toLowerCase().split(',')) : null;
    const includeArchived = q.get('includeArchived') === 'true';
    const matched: unknown[] = [];
    for (const r of coll.items()) {
      if (since !== null && r.updatedMs < since) continue;
      if (ids && !ids.has(r.id)) continue;
      const get = coll.get(r as never);
      if (coll.listKey === 'Contacts' && !includeArchived && get('ContactStatus') === 'ARCHIVED') continue;
      if (!where(get)) continue;
      matched.push(r);
    }
    const pageParam = q.get('page');
    if (pageParam === null)
      return send(200, envelope({ [coll.listKey]: matched.map((r) => coll.render(r as never)) }));
    const page = Math.max(1, Number(pageParam) || 1);
    const pageSize = Math.min(1000, Math.max(1, Number(q.get('pageSize') ?? 100) || 100));
    const slice = matched.slice((page - 1) * pageSize, page * pageSize);
    return send(
      200,
      envelope({
        pagination: {
          page,
          pageSize,
          pageCount: Math.ceil(matched.length / pageSize),
          itemCount: matched.length,
        },
        [coll.listKey]: slice.map((r) => coll.render(r as never)),
      }),
    );
  }

  // long keep-alive, like Xero's edge: a client never meets a socket closed under it mid-sync
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const webhookKey = opts.webhookKey ?? 'emulator-webhook-key';

  async function postWebhook(target: string, payload: unknown, badSignature: boolean) {
    const rawBody = Buffer.from(JSON.stringify(payload));
    let sig = hmacBase64(webhookKey, rawBody);
    if (badSignature) sig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xero-signature': sig },
      body: rawBody,
    });
    return { status: res.status, body: await res.text() };
  }

  let seq = 0;
  const api: XeroEmulator = {
    url,
    tenantId: primary,
    tenantIds,
    companyName: bookOf(primary).name,
    issueRefreshToken: (t) => identity.issueRefreshToken(t),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
    books: bookOf,
    identity,
    recorded,
    callCount: (t) => limitState.get(t ?? primary)?.calls ?? 0,
    rateLimitedCount: () => rateLimited,
    setLatency: (ms) => {
      latency = ms;
    },
    failNext: (count, status, prefix, skip = 0) => {
      failures.push({ count, status, prefix, skip });
    },
    clearFailures: () => {
      failures.length = 0;
    },
    resetCallCounts: () => {
      for (const st of limitState.values()) st.calls = 0;
    },
    setDayRemaining: (remaining, t) => {
      limitState.get(t ?? primary)!.dayUsed = limits.perDay - remaining;
    },
    enforceLimits: (on) => {
      enforce = on;
    },
    changeInvoices: (count, t) => {
      const b = bookOf(t);
      const changed: string[] = [];
      for (const inv of b.invoices) {
        if (changed.length >= count) break;
        if (inv.type !== 'ACCREC' || inv.status !== 'AUTHORISED' || inv.malformed) continue;
        const due = b.amountDue(inv);
        const part = changed.length % 2 === 0 ? due : due / 2n - ((due / 2n) % 100n);
        if (part <= 0n) continue;
        inv.paid += part;
        if (b.amountDue(inv) === 0n) inv.status = 'PAID';
        inv.updatedMs = b.touch();
        changed.push(inv.id);
      }
      b.invalidateBalances();
      return changed;
    },
    deleteInvoice: (id, t) => {
      const b = bookOf(t);
      const inv = b.invoiceById.get(id)!;
      inv.status = 'DELETED';
      inv.updatedMs = b.touch();
      b.invalidateBalances();
    },
    voidInvoice: (id, t) => {
      const b = bookOf(t);
      const inv = b.invoiceById.get(id)!;
      inv.status = 'VOIDED';
      inv.updatedMs = b.touch();
      b.invalidateBalances();
    },
    archiveContact: (id, t) => {
      const b = bookOf(t);
      const c = b.contactById.get(id)!;
      c.status = 'ARCHIVED';
      c.updatedMs = b.touch();
    },
    deliverWebhook: (target, events, o = {}) => {
      seq += 1;
      return postWebhook(
        target,
        {
          events: events.map((e) => ({
            resourceUrl: `${url}${XERO_PATHS.accounting}/${e.eventCategory === 'CONTACT' ? 'Contacts' : 'Invoices'}/${e.resourceId}`,
            resourceId: e.resourceId,
            eventDateUtc: new Date().toISOString().replace('Z', ''),
            eventType: e.eventType,
            eventCategory: e.eventCategory,
            tenantId: e.tenantId ?? primary,
            tenantType: 'ORGANISATION',
          })),
          firstEventSequence: seq,
          lastEventSequence: seq,
          entropy: crypto.randomBytes(10).toString('hex').toUpperCase(),
        },
        !!o.badSignature,
      );
    },
    intentToReceive: async (target) => {
      const payload = {
        events: [],
        firstEventSequence: 0,
        lastEventSequence: 0,
        entropy: crypto.randomBytes(10).toString('hex'),
      };
      const good = await postWebhook(target, payload, false);
      const bad = await postWebhook(target, payload, true);
      return {
        passed: good.status === 200 && good.body === '' && bad.status === 401,
        goodStatus: good.status,
        badStatus: bad.status,
        goodBody: good.body,
      };
    },
  };
  return api;
}

function pick(h: http.IncomingHttpHeaders, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = h[n];
    if (typeof v === 'string') out[n] = v;
  }
  return out;
}
