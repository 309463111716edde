import nock from 'nock';
import { QuickBooksApi, DEFAULT_RETRY, requestIdFor } from '../../../connectors/quickbooks/client';
import { quickBooksEndpoints } from '../../../connectors/quickbooks/platform';
import { API, fakeContext, recording } from './helpers';

const REALM = '4620816365';
const COMPANY = `/v3/company/${REALM}`;

function api(ctx = fakeContext(REALM), requestTimeoutMs = DEFAULT_RETRY.requestTimeoutMs) {
  const client = new QuickBooksApi(
    {
      clientId: 'cid',
      clientSecret: 'secret',
      environment: 'sandbox',
      endpoints: quickBooksEndpoints('sandbox', API),
      retry: { ...DEFAULT_RETRY, rateLimitWaitMs: 5, baseDelayMs: 1, requestTimeoutMs },
    },
    ctx,
  );
  return { client, ctx };
}

const faultBody = (file: string, index = 0) => recording(file)[index]!.response.body;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('QuickBooks API client', () => {
  it('sends queries to the base URL with minorversion 75 and a Bearer token', async () => {
    const scope = nock(API, { reqheaders: { authorization: 'Bearer access-1' } })
      .get(`${COMPANY}/query`)
      .query(
        (q) =>
          q.minorversion === '75' &&
          /^select \* from invoice ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000$/i.test(String(q.query)),
      )
      .reply(200, { QueryResponse: { Invoice: [{ Id: '1' }], startPosition: 1, maxResults: 1 } });
    const { client, ctx } = api();
    await expect(client.query('Invoice', 'ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000')).resolves.toEqual({
      Invoice: [{ Id: '1' }],
      startPosition: 1,
      maxResults: 1,
    });
    expect(scope.isDone()).toBe(true);
    expect(ctx.stats.apiCalls).toBe(1);
  });

  it('waits after a 429 (Retry-After) and then succeeds, counting both calls', async () => {
    nock(API).get(`${COMPANY}/query`).query(true).reply(429, 'Too Many Requests', { 'Retry-After': '0' });
    nock(API)
      .get(`${COMPANY}/query`)
      .query(true)
      .reply(429, { fault: { error: [{ message: 'ThrottleExceeded', code: '3001' }] } });
    nock(API).get(`${COMPANY}/query`).query(true).reply(200, { QueryResponse: {} });
    const { client, ctx } = api();
    const started = Date.now();
    await expect(client.query('Customer', 'STARTPOSITION 1 MAXRESULTS 1000')).resolves.toEqual({});
    expect(ctx.stats).toEqual({ apiCalls: 3, rateLimited: 2 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up with rate_limited after repeated 429s', async () => {
    nock(API).get(`${COMPANY}/query`).query(true).times(10).reply(429, '', { 'Retry-After': '0' });
    const { client, ctx } = api();
    await expect(client.query('Customer', '')).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(ctx.stats.rateLimited).toBe(DEFAULT_RETRY.maxRateLimitRetries + 1);
  });

  it('stops waiting out a 429 when the sync is aborted', async () => {
    // its own realm: the 30 s pause applies to every request of that realm in this process
    nock(API).get('/v3/company/abort-realm/query').query(true).reply(429, '', { 'Retry-After': '30' });
    const ctx = fakeContext('abort-realm');
    const controller = new AbortController();
    ctx.signal = controller.signal;
    const { client } = api(ctx);
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await expect(client.query('Customer', '')).rejects.toMatchObject({
      kind: 'retryable',
      message: 'aborted',
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('retries 5xx and network errors with backoff, then succeeds', async () => {
    nock(API).get(`${COMPANY}/companyinfo/${REALM}`).query(true).reply(503, 'unavailable');
    nock(API).get(`${COMPANY}/companyinfo/${REALM}`).query(true).replyWithError('socket hang up');
    nock(API)
      .get(`${COMPANY}/companyinfo/${REALM}`)
      .query(true)
      .reply(200, { CompanyInfo: { CompanyName: 'Sandbox Company_US_1' } });
    const { client, ctx } = api();
    await expect(client.companyInfo()).resolves.toEqual({ CompanyName: 'Sandbox Company_US_1' });
    expect(ctx.stats.apiCalls).toBe(3);
  });

  it('treats a request with no answer in time as a network error and retries it', async () => {
    nock(API)
      .get(`${COMPANY}/invoice/4`)
      .query(true)
      .delay(300)
      .reply(200, { Invoice: { Id: '4' } });
    nock(API)
      .get(`${COMPANY}/invoice/4`)
      .query(true)
      .reply(200, { Invoice: { Id: '4' } });
    const { client, ctx } = api(fakeContext(REALM), 50);
    await expect(client.readInvoice('4')).resolves.toEqual({ Id: '4' });
    expect(ctx.stats.apiCalls).toBe(2);
  });

  it('does not retry an entity node-quickbooks refuses before sending', async () => {
    const { client, ctx } = api();
    await expect(client.updateInvoice({ Id: '1' }, 'k')).rejects.toMatchObject({ kind: 'permanent' });
    expect(ctx.stats.apiCalls).toBe(1);
  });

  it('maps a persistent 500 to retryable after its attempts', async () => {
    nock(API)
      .get(`${COMPANY}/invoice/1`)
      .query(true)
      .times(DEFAULT_RETRY.maxAttempts)
      .reply(500, { Fault: { Error: [{ Message: 'boom', code: '-1' }], type: 'SystemFault' } });
    const { client, ctx } = api();
    await expect(client.readInvoice('1')).rejects.toMatchObject({
      kind: 'retryable',
      details: { status: 500 },
    });
    expect(ctx.stats.apiCalls).toBe(DEFAULT_RETRY.maxAttempts);
  });

  it('refreshes the token once on 401 (lower-case fault envelope) and retries with the new token', async () => {
    nock(API, { reqheaders: { authorization: 'Bearer access-1' } })
      .get(`${COMPANY}/customer/1`)
      .query(true)
      .reply(401, faultBody('error__401.json') as object);
    nock(API, { reqheaders: { authorization: 'Bearer access-2' } })
      .get(`${COMPANY}/customer/1`)
      .query(true)
      .reply(200, { Customer: { Id: '1' } });
    const { client, ctx } = api();
    await expect(client.request('read Customer', (qbo, done) => qbo.getCustomer('1', done))).resolves.toEqual(
      { Id: '1' },
    );
    expect(ctx.tokenCalls.filter((c) => c.force)).toHaveLength(1);
  });

  it('maps a second 401 after the forced refresh to needs_reconnect', async () => {
    nock(API)
      .get(`${COMPANY}/customer/1`)
      .query(true)
      .times(2)
      .reply(401, faultBody('error__401.json') as object);
    const { client } = api();
    await expect(
      client.request('read Customer', (qbo, done) => qbo.getCustomer('1', done)),
    ).rejects.toMatchObject({
      kind: 'needs_reconnect',
      details: { status: 401, code: '3200' },
    });
  });

  it.each([
    ['error__validation.json', 400, 'validation', '6240'],
    ['error__400_json.json', 400, 'validation', '2010'],
    ['error__500.json', 400, 'validation', '500'],
  ])('maps the recorded fault %s (HTTP %i) to %s', async (file, status, kind, code) => {
    nock(API)
      .post(`${COMPANY}/payment`)
      .query(true)
      .reply(status, faultBody(file) as object);
    const { client, ctx } = api();
    await expect(client.createPayment({ TotalAmt: 1 }, 'key-1')).rejects.toMatchObject({
      kind,
      details: { code },
    });
    expect(ctx.stats.apiCalls).toBe(1);
  });

  it('maps a stale SyncToken (5010) to stale_object', async () => {
    nock(API)
      .post(`${COMPANY}/invoice`)
      .query(true)
      .reply(400, {
        Fault: {
          Error: [
            {
              Message: 'Stale Object Error',
              Detail: 'Stale Object Error : You and root were working on this at the same time.',
              code: '5010',
              element: '',
            },
          ],
          type: 'ValidationFault',
        },
      });
    const { client } = api();
    await expect(client.updateInvoice({ Id: '1', SyncToken: '0' }, 'k')).rejects.toMatchObject({
      kind: 'stale_object',
    });
  });

  it('maps a fault inside a 200 answer, and 403 to needs_reconnect', async () => {
    nock(API)
      .get(`${COMPANY}/invoice/2`)
      .query(true)
      .reply(200, {
        Fault: { Error: [{ Message: 'Object Not Found', code: '610' }], type: 'ValidationFault' },
      });
    nock(API)
      .get(`${COMPANY}/invoice/3`)
      .query(true)
      .reply(403, {
        Fault: { Error: [{ Message: 'ApplicationAuthorizationFailed', code: '003100' }], type: 'SERVICE' },
      });
    const { client } = api();
    await expect(client.readInvoice('2')).rejects.toMatchObject({
      kind: 'validation',
      details: { code: '610' },
    });
    await expect(client.readInvoice('3')).rejects.toMatchObject({ kind: 'needs_reconnect' });
  });

  it('sends a requestid derived from the idempotency key with every write, the same on retry', async () => {
    const seen: string[] = [];
    nock(API)
      .post(`${COMPANY}/payment`)
      .query((q) => {
        seen.push(String(q.requestid));
        return true;
      })
      .reply(502, 'bad gateway');
    nock(API)
      .post(`${COMPANY}/payment`)
      .query((q) => {
        seen.push(String(q.requestid));
        return true;
      })
      .reply(200, { Payment: { Id: '77' } });
    const { client } = api();
    await expect(client.createPayment({ TotalAmt: 5 }, 'portal-payment-42')).resolves.toEqual({ Id: '77' });
    expect(seen).toEqual([requestIdFor('portal-payment-42'), requestIdFor('portal-payment-42')]);
    expect(requestIdFor('portal-payment-42')).toHaveLength(36);
  });

  it('reads the invoice PDF as bytes', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1');
    nock(API)
      .get(`${COMPANY}/invoice/130/pdf`)
      .query(true)
      .reply(200, pdf, { 'Content-Type': 'application/pdf' });
    const { client } = api();
    const got = await client.invoicePdf('130');
    expect(got.equals(pdf)).toBe(true);
  });
});
