import nock from 'nock';
import pino from 'pino';

import type { ConnectorContext } from '../../../connectors/types';
import { createXeroConnector } from '../../../connectors/xero';
import { XeroApiClient } from '../../../connectors/xero/client';
import { xeroEndpoints } from '../../../connectors/xero/platform';
import { XeroRateLimiter } from '../../../connectors/xero/rateLimiter';

const API = 'https://api.xero.com';
const TENANT = 'a46fcb6f-2773-40c4-a119-8aa08bca1e8e';

function ctx(tokens: string[] = ['tok-1', 'tok-2']): ConnectorContext & { forced: number } {
  let i = 0;
  const c = {
    connectionId: 'c',
    organizationId: 'o',
    externalTenantId: TENANT,
    logger: pino({ level: 'silent' }),
    stats: { apiCalls: 0, rateLimited: 0 },
    forced: 0,
    getAccessToken: (force?: boolean) => {
      if (force) {
        c.forced += 1;
        i += 1;
      }
      return Promise.resolve(tokens[Math.min(i, tokens.length - 1)]!);
    },
  };
  return c;
}

const client = (limiter = new XeroRateLimiter()) =>
  new XeroApiClient(xeroEndpoints(), limiter, { baseDelayMs: 5, maxRetryAfterMs: 5_000, maxAttempts: 3 });

const org = { Organisations: [{ Name: 'Demo Company (NZ)' }] };

describe('Xero API client', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('sends the bearer token and tenant header to Xero’s real host by default', async () => {
    const scope = nock(API, { reqheaders: { authorization: 'Bearer tok-1', 'xero-tenant-id': TENANT } })
      .get('/api.xro/2.0/Organisation')
      .reply(200, org);
    const c = ctx();
    const connector = createXeroConnector({ clientId: 'id', clientSecret: 's' });
    await expect(connector.fetchCompanyName(c)).resolves.toBe('Demo Company (NZ)');
    expect(c.stats.apiCalls).toBe(1);
    scope.done();
  });

  it('waits for Retry-After when Xero answers 429, then retries', async () => {
    nock(API)
      .get('/api.xro/2.0/Organisation')
      .reply(429, '', { 'Retry-After': '1', 'X-Rate-Limit-Problem': 'minute' });
    nock(API).get('/api.xro/2.0/Organisation').reply(200, org);
    const c = ctx();
    const started = Date.now();
    const res = await client().request(c, { method: 'GET', path: '/Organisation' });
    expect(res.body).toEqual(org);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(c.stats).toEqual({ apiCalls: 2, rateLimited: 1 });
  });

  it('postpones (rate_limited) instead of waiting when the day limit is hit', async () => {
    nock(API)
      .get('/api.xro/2.0/Invoices')
      .reply(429, '', { 'Retry-After': '7200', 'X-Rate-Limit-Problem': 'day' });
    const limiter = new XeroRateLimiter();
    const err = await client(limiter)
      .request(ctx(), { method: 'GET', path: '/Invoices' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'rate_limited',
      details: { retryAfterMs: 7_200_000, code: 'day_limit' },
    });
    // the next call does not even reach Xero
    await expect(client(limiter).request(ctx(), { method: 'GET', path: '/Invoices' })).rejects.toMatchObject({
      kind: 'rate_limited',
    });
  });

  it('postpones non-urgent work when less than 5% of the day is left, but lets urgent writes through', async () => {
    const limiter = new XeroRateLimiter();
    nock(API)
      .get('/api.xro/2.0/Organisation')
      .reply(200, org, { 'X-DayLimit-Remaining': '200', 'X-MinLimit-Remaining': '58' });
    await client(limiter).request(ctx(), { method: 'GET', path: '/Organisation' });
    await expect(client(limiter).request(ctx(), { method: 'GET', path: '/Invoices' })).rejects.toMatchObject({
      kind: 'rate_limited',
      details: { code: 'day_limit' },
    });
    nock(API)
      .put('/api.xro/2.0/Payments')
      .reply(200, { Payments: [{ PaymentID: 'p' }] });
    await expect(
      client(limiter).request(ctx(), { method: 'PUT', path: '/Payments', body: {}, urgent: true }),
    ).resolves.toMatchObject({ status: 200 });
  });

  it('on 401 forces one token refresh, and reports needs_reconnect if Xero still refuses', async () => {
    nock(API).get('/api.xro/2.0/Organisation').reply(401, {});
    nock(API, { reqheaders: { authorization: 'Bearer tok-2' } })
      .get('/api.xro/2.0/Organisation')
      .reply(200, org);
    const c = ctx();
    await client().request(c, { method: 'GET', path: '/Organisation' });
    expect(c.forced).toBe(1);

    nock(API).get('/api.xro/2.0/Organisation').times(2).reply(401, {});
    const c2 = ctx();
    await expect(client().request(c2, { method: 'GET', path: '/Organisation' })).rejects.toMatchObject({
      kind: 'needs_reconnect',
    });
    expect(c2.forced).toBe(1);
  });

  it('maps 403 (connection removed in Xero) to needs_reconnect', async () => {
    nock(API)
      .get('/api.xro/2.0/Invoices')
      .reply(403, { Title: 'Forbidden', Detail: 'AuthenticationUnsuccessful' });
    await expect(client().request(ctx(), { method: 'GET', path: '/Invoices' })).rejects.toMatchObject({
      kind: 'needs_reconnect',
    });
  });

  it('retries 5xx and network errors with backoff, then gives up as retryable', async () => {
    nock(API).get('/api.xro/2.0/Invoices').reply(503, 'busy');
    nock(API).get('/api.xro/2.0/Invoices').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    nock(API).get('/api.xro/2.0/Invoices').reply(200, { Invoices: [] });
    const c = ctx();
    await expect(client().request(c, { method: 'GET', path: '/Invoices' })).resolves.toMatchObject({
      status: 200,
    });
    expect(c.stats.apiCalls).toBe(3);
    nock(API).get('/api.xro/2.0/Invoices').times(3).reply(500, 'oops');
    await expect(client().request(ctx(), { method: 'GET', path: '/Invoices' })).rejects.toMatchObject({
      kind: 'retryable',
      details: { status: 500 },
    });
  });

  it('maps a 400 ValidationException to validation with Xero’s messages', async () => {
    const fault = {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [
        { ValidationErrors: [{ Message: 'Payment amount exceeds the amount outstanding on this document' }] },
      ],
    };
    nock(API).put('/api.xro/2.0/Payments').reply(400, fault);
    await expect(
      client().request(ctx(), { method: 'PUT', path: '/Payments', body: {} }),
    ).rejects.toMatchObject({
      kind: 'validation',
      message: expect.stringContaining('exceeds the amount outstanding'),
      details: { code: 'ValidationException', status: 400 },
    });
  });

  it('sends Idempotency-Key on writes and honours XERO_BASE_URL', async () => {
    const scope = nock('http://127.0.0.1:9', { reqheaders: { 'idempotency-key': 'k-1' } })
      .put('/api.xro/2.0/Payments')
      .reply(200, {});
    const c = new XeroApiClient(xeroEndpoints('http://127.0.0.1:9/'), new XeroRateLimiter());
    await c.request(ctx(), { method: 'PUT', path: '/Payments', body: {}, idempotencyKey: 'k-1' });
    scope.done();
  });
});

describe('Xero rate limiter', () => {
  it('keeps at most 5 calls in flight per tenant', async () => {
    const limiter = new XeroRateLimiter();
    const releases = await Promise.all([1, 2, 3, 4, 5].map(() => limiter.acquire('t')));
    let sixth = false;
    const p = limiter.acquire('t').then((r) => {
      sixth = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(sixth).toBe(false);
    releases[0]!();
    (await p)();
    expect(sixth).toBe(true);
  });

  it('spaces calls to the per-minute limit instead of earning 429s', async () => {
    const limiter = new XeroRateLimiter({ limits: { perMinute: 3, minuteMs: 300 } });
    const started = Date.now();
    for (let i = 0; i < 4; i++) (await limiter.acquire('t'))();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
