import nock from 'nock';
import { createQuickBooksConnector } from '../../../connectors/quickbooks';
import { CDC_MAX_AGE_MS, CURSOR_OVERLAP_MS } from '../../../connectors/quickbooks/sync';
import type { SyncBatch } from '../../../connectors/types';
import { API, fakeContext, recording } from './helpers';

const REALM = '9130350000000001';
const COMPANY = `/v3/company/${REALM}`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

const connector = () =>
  createQuickBooksConnector({
    clientId: 'c',
    clientSecret: 's',
    environment: 'sandbox',
    baseUrl: API,
    retry: { rateLimitWaitMs: 1, baseDelayMs: 1 },
  });

const invoice = (id: number, extra: Record<string, unknown> = {}) => ({
  Id: String(id),
  SyncToken: '0',
  MetaData: { LastUpdatedTime: '2026-11-20T10:00:00-08:00' },
  DocNumber: `INV-${id}`,
  TxnDate: '2026-10-01',
  DueDate: '2026-10-31',
  CurrencyRef: { value: 'USD' },
  CustomerRef: { value: '1' },
  Line: [{ Amount: 10, DetailType: 'SalesItemLineDetail' }],
  TotalAmt: 10,
  Balance: 10,
  ...extra,
});
const customer = (id: number) => ({
  Id: String(id),
  DisplayName: `Customer ${id}`,
  Active: true,
  Balance: 0,
  SalesTermRef: { value: '3' },
});

/** Serve SELECT pages from arrays, recording each query text. */
function serveQueries(tables: Record<string, unknown[]>, seen: string[]) {
  return nock(API)
    .persist()
    .get(`${COMPANY}/query`)
    .query(true)
    .reply((uri) => {
      const q = new URL(uri, API).searchParams.get('query')!;
      seen.push(q);
      const m = /from (\w+)(?: where (.*?))? orderby id startposition (\d+) maxresults (\d+)/i.exec(q);
      if (!m)
        return [400, { Fault: { Error: [{ Message: 'bad query', code: '4000' }], type: 'ValidationFault' } }];
      const entity = Object.keys(tables).find((k) => k.toLowerCase() === m[1]!.toLowerCase())!;
      let rows = tables[entity] ?? [];
      if (m[2] && /Id IN \((.*)\)/i.test(m[2])) {
        const ids = /Id IN \((.*)\)/i
          .exec(m[2])![1]!
          .split(',')
          .map((s) => s.trim().replace(/^'|'$/g, ''));
        rows = rows.filter((r) => ids.includes((r as { Id: string }).Id));
      }
      const start = Number(m[3]);
      const page = rows.slice(start - 1, start - 1 + Number(m[4]));
      return [
        200,
        {
          QueryResponse: page.length ? { [entity]: page, startPosition: start, maxResults: page.length } : {},
          time: '2026-11-23T01:00:00.000-08:00',
        },
      ];
    });
}

async function collect(it: AsyncIterable<SyncBatch>): Promise<SyncBatch[]> {
  const out: SyncBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('QuickBooks full sync', () => {
  it('pages every entity, stops on a short page and on an empty QueryResponse, with no COUNT query', async () => {
    const seen: string[] = [];
    serveQueries(
      {
        Term: [{ Id: '3', Name: 'Net 30', DueDays: 30 }],
        Customer: Array.from({ length: 1000 }, (_, i) => customer(i + 1)), // exactly one page → an empty page ends it
        Invoice: Array.from({ length: 1500 }, (_, i) => invoice(i + 1)), // a short second page ends it
        Payment: [],
        CreditMemo: [],
      },
      seen,
    );
    const ctx = fakeContext(REALM);
    const batches = await collect(connector().sync(ctx, { mode: 'full', cursor: null }));
    expect(
      seen.map((q) => q.replace(/select \* from (\w+).*STARTPOSITION (\d+).*/i, '$1@$2').toLowerCase()),
    ).toEqual([
      'term@1',
      'customer@1',
      'customer@1001',
      'invoice@1',
      'invoice@1001',
      'payment@1',
      'creditmemo@1',
    ]);
    expect(seen.some((q) => /count\(/i.test(q))).toBe(false);
    expect(ctx.stats.apiCalls).toBe(7);
    const customers = batches.flatMap((b) => b.customers ?? []);
    const invoices = batches.flatMap((b) => b.invoices ?? []);
    expect(customers).toHaveLength(1000);
    expect(customers[0]!.terms).toEqual({ externalId: '3', name: 'Net 30', dueDays: 30 });
    expect(invoices).toHaveLength(1500);
    expect(new Set(invoices.map((i) => i.externalId)).size).toBe(1500);
    // cursor after each page says where to resume; the last one switches to incremental
    expect(batches[0]!.cursor).toMatchObject({ phase: 'full', entity: 'Customer', startPosition: 1001 });
    expect(batches.at(-1)!.cursor).toMatchObject({ phase: 'incremental' });
  });

  it('resumes an interrupted full sync from its cursor without re-reading earlier pages', async () => {
    const seen: string[] = [];
    serveQueries(
      {
        Term: [],
        Customer: [customer(1)],
        Invoice: Array.from({ length: 1200 }, (_, i) => invoice(i + 1)),
        Payment: [],
        CreditMemo: [],
      },
      seen,
    );
    const ctx = fakeContext(REALM);
    const first = connector().sync(ctx, { mode: 'full', cursor: null })[Symbol.asyncIterator]();
    const b1 = await first.next(); // customers
    const b2 = await first.next(); // invoices 1..1000
    expect(b1.value.customers).toHaveLength(1);
    expect(b2.value.invoices).toHaveLength(1000);
    await first.return?.(undefined); // the process dies here
    seen.length = 0;
    const rest = await collect(connector().sync(ctx, { mode: 'incremental', cursor: b2.value.cursor }));
    expect(seen[0]).toMatch(/from term/i);
    expect(seen[1]).toMatch(/from invoice .*STARTPOSITION 1001/i);
    expect(rest.flatMap((b) => b.invoices ?? []).map((i) => i.externalId)).toEqual(
      Array.from({ length: 200 }, (_, i) => String(1001 + i)),
    );
    expect(rest.at(-1)!.cursor).toMatchObject({ phase: 'incremental', since: expect.any(String) });
  });

  it('reports a malformed record in the batch and keeps the rest', async () => {
    serveQueries(
      {
        Term: [],
        Customer: [],
        Invoice: [invoice(1), { ...invoice(2), CustomerRef: undefined }, invoice(3)],
        Payment: [],
        CreditMemo: [],
      },
      [],
    );
    const batches = await collect(connector().sync(fakeContext(REALM), { mode: 'full', cursor: null }));
    expect(batches.flatMap((b) => b.invoices ?? []).map((i) => i.externalId)).toEqual(['1', '3']);
    expect(batches.flatMap((b) => b.errors)).toEqual([
      { entity: 'invoices', externalId: '2', reason: expect.stringContaining('CustomerRef') },
    ]);
  });

  it('reads the recorded empty page shape as the end of an entity', async () => {
    const empty = recording('all__alt_select.json').at(-1)!.response.body;
    expect(empty).toMatchObject({ QueryResponse: {} });
    nock(API)
      .get(`${COMPANY}/query`)
      .query(true)
      .times(5)
      .reply(200, empty as object);
    const batches = await collect(connector().sync(fakeContext(REALM), { mode: 'full', cursor: null }));
    expect(batches).toHaveLength(4);
    expect(batches.every((b) => b.errors.length === 0)).toBe(true);
  });
});

describe('QuickBooks incremental sync', () => {
  const since = () => new Date(Date.now() - 3600_000).toISOString();
  const cursor = (s: string) => ({ v: 1, phase: 'incremental', since: s, terms: { '3': ['Net 30', 30] } });

  it('uses one CDC call, maps deletions and voids, and moves the cursor to the request time', async () => {
    let asked = '';
    nock(API)
      .get(`${COMPANY}/cdc`)
      .query((q) => {
        asked = String(q.changedSince);
        return String(q.entities) === 'Customer,Invoice,Payment,CreditMemo,Term';
      })
      .reply(200, {
        CDCResponse: [
          {
            QueryResponse: [
              { Customer: [customer(5)], startPosition: 1, maxResults: 1 },
              {
                Invoice: [
                  invoice(7, { Balance: 0 }),
                  {
                    domain: 'QBO',
                    status: 'Deleted',
                    Id: '8',
                    MetaData: { LastUpdatedTime: '2026-11-22T10:00:00-08:00' },
                  },
                  invoice(9, { TotalAmt: 0, Balance: 0, PrivateNote: 'Voided' }),
                ],
              },
            ],
          },
        ],
        time: '2026-11-23T01:00:00.000-08:00',
      });
    const ctx = fakeContext(REALM);
    const s = since();
    const before = Date.now();
    const batches = await collect(connector().sync(ctx, { mode: 'incremental', cursor: cursor(s) }));
    expect(asked).toBe(s);
    expect(ctx.stats.apiCalls).toBe(1);
    expect(batches.flatMap((b) => b.customers ?? [])[0]!.terms).toEqual({
      externalId: '3',
      name: 'Net 30',
      dueDays: 30,
    });
    expect(batches.flatMap((b) => b.invoices ?? []).map((i) => [i.externalId, i.status])).toEqual([
      ['7', 'paid'],
      ['8', 'deleted'],
      ['9', 'voided'],
    ]);
    // only the last batch moves the cursor
    expect(batches[0]!.cursor).toMatchObject({ since: s });
    const next = Date.parse((batches.at(-1)!.cursor as { since: string }).since);
    expect(next).toBeGreaterThanOrEqual(before - CURSOR_OVERLAP_MS);
    expect(next).toBeLessThanOrEqual(Date.now() - CURSOR_OVERLAP_MS);
  });

  it('yields one empty batch that moves the cursor when nothing changed', async () => {
    nock(API)
      .get(`${COMPANY}/cdc`)
      .query(true)
      .reply(200, { CDCResponse: [{ QueryResponse: [{}] }] });
    const batches = await collect(
      connector().sync(fakeContext(REALM), { mode: 'incremental', cursor: cursor(since()) }),
    );
    expect(batches).toHaveLength(1);
    expect(batches[0]!.cursor).toMatchObject({ phase: 'incremental' });
  });

  it('reads the window by query when an entity hits the 1000-object CDC cap', async () => {
    const changed = Array.from({ length: 1400 }, (_, i) => invoice(i + 1));
    nock(API)
      .get(`${COMPANY}/cdc`)
      .query(true)
      .reply(200, {
        CDCResponse: [
          {
            QueryResponse: [
              { Invoice: [...changed.slice(0, 999), { domain: 'QBO', status: 'Deleted', Id: '5000' }] },
              { Payment: [] },
            ],
          },
        ],
      });
    const seen: string[] = [];
    serveQueries({ Invoice: changed }, seen);
    const s = since();
    const ctx = fakeContext(REALM);
    const batches = await collect(connector().sync(ctx, { mode: 'incremental', cursor: cursor(s) }));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toContain(`WHERE MetaData.LastUpdatedTime >= '${s}'`);
    const ids = batches.flatMap((b) => b.invoices ?? []).map((i) => i.externalId);
    expect(ids).toContain('5000');
    expect(new Set(ids).size).toBe(1401);
    expect(ctx.stats.apiCalls).toBe(3);
  });

  it('falls back to a full sync when the cursor is older than CDC allows, or missing', async () => {
    const seen: string[] = [];
    serveQueries({ Term: [], Customer: [], Invoice: [invoice(1)], Payment: [], CreditMemo: [] }, seen);
    const old = new Date(Date.now() - CDC_MAX_AGE_MS - 60_000).toISOString();
    const batches = await collect(
      connector().sync(fakeContext(REALM), { mode: 'incremental', cursor: cursor(old) }),
    );
    expect(seen[0]).toMatch(/from term/i);
    expect(batches.flatMap((b) => b.invoices ?? [])).toHaveLength(1);
    seen.length = 0;
    await collect(
      connector().sync(fakeContext(REALM), { mode: 'incremental', cursor: { something: 'else' } }),
    );
    expect(seen).toHaveLength(5);
  });
});

describe('QuickBooks fetchRecords', () => {
  it('fetches webhook refs per entity with Id IN (…) and reports vanished records as deleted', async () => {
    const seen: string[] = [];
    serveQueries({ Invoice: [invoice(1), invoice(2)], Payment: [] }, seen);
    const batches = await collect(
      connector().fetchRecords(fakeContext(REALM), [
        { entity: 'invoices', externalId: '1' },
        { entity: 'invoices', externalId: '3' },
        { entity: 'invoices', externalId: '1' },
        { entity: 'payments', externalId: '4' },
      ]),
    );
    expect(seen[0]).toMatch(/select \* from invoice WHERE Id IN \('1','3'\)/i);
    expect(batches.flatMap((b) => b.invoices ?? []).map((i) => [i.externalId, i.status])).toEqual([
      ['1', 'open'],
      ['3', 'deleted'],
    ]);
    expect(batches.flatMap((b) => b.payments ?? []).map((p) => p.status)).toEqual(['deleted']);
  });
});
