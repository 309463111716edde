import nock from 'nock';
import pino from 'pino';

import type { ConnectorContext, SyncBatch } from '../../../connectors/types';
import { createXeroConnector } from '../../../connectors/xero';
import { collect } from './helpers';

const API = 'https://api.xero.com';
const LIST = '/api.xro/2.0';
const ctx = (): ConnectorContext => ({
  connectionId: 'c',
  organizationId: 'o',
  externalTenantId: 't-1',
  logger: pino({ level: 'silent' }),
  stats: { apiCalls: 0, rateLimited: 0 },
  getAccessToken: () => Promise.resolve('tok'),
});

const contact = (i: number) => ({ ContactID: `c-${i}`, Name: `Customer ${i}`, ContactStatus: 'ACTIVE' });
const empty = (key: string) => ({ [key]: [] });
const REST = ['CreditNotes', 'Payments', 'Overpayments', 'Prepayments'];

function restEmpty(headers?: Record<string, string>) {
  for (const k of REST)
    nock(API, headers ? { reqheaders: headers } : undefined)
      .get(`${LIST}/${k}`)
      .query(true)
      .reply(200, empty(k));
}

describe('Xero sync paging and cursor (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const connector = () => createXeroConnector({ clientId: 'id', clientSecret: 's', pageSize: 2 });

  it('without a pagination block, pages until a short page', async () => {
    nock(API)
      .get(`${LIST}/Contacts`)
      .query({ includeArchived: 'true', page: '1', pageSize: '2' })
      .reply(200, { Contacts: [contact(1), contact(2)] });
    nock(API)
      .get(`${LIST}/Contacts`)
      .query({ includeArchived: 'true', page: '2', pageSize: '2' })
      .reply(200, { Contacts: [contact(3)] });
    nock(API)
      .get(`${LIST}/Invoices`)
      .query({ where: 'Type=="ACCREC"', page: '1', pageSize: '2' })
      .reply(200, empty('Invoices'));
    restEmpty();
    const c = ctx();
    const batches = await collect(connector().sync(c, { mode: 'full', cursor: null }));
    expect(batches.flatMap((b) => b.customers ?? []).map((x) => x.externalId)).toEqual(['c-1', 'c-2', 'c-3']);
    expect(c.stats.apiCalls).toBe(2 + 1 + 4);
    expect(nock.isDone()).toBe(true);
  });

  it('with a pagination block, stops at pageCount without asking for an empty page', async () => {
    const pg = (page: number) => ({ page, pageSize: 2, pageCount: 2, itemCount: 4 });
    nock(API)
      .get(`${LIST}/Contacts`)
      .query((q) => q.page === '1')
      .reply(200, { pagination: pg(1), Contacts: [contact(1), contact(2)] });
    nock(API)
      .get(`${LIST}/Contacts`)
      .query((q) => q.page === '2')
      .reply(200, { pagination: pg(2), Contacts: [contact(3), contact(4)] });
    nock(API)
      .get(`${LIST}/Invoices`)
      .query(true)
      .reply(200, { pagination: { page: 1, pageSize: 2, pageCount: 0, itemCount: 0 }, Invoices: [] });
    restEmpty();
    const c = ctx();
    const batches = await collect(connector().sync(c, { mode: 'full', cursor: null }));
    expect(batches[1]!.progress).toEqual({ done: 4, total: 4 });
    expect(c.stats.apiCalls).toBe(2 + 1 + 4);
  });

  it('incremental asks each list for changes since its watermark (UTC, second precision)', async () => {
    const since = '2026-11-20T08:15:30.000Z';
    const cursor = {
      v: 1,
      since: {
        contacts: since,
        invoices: since,
        creditNotes: since,
        payments: since,
        overpayments: since,
        prepayments: since,
      },
      pass: null,
    };
    const ims = { 'if-modified-since': '2026-11-20T08:15:30Z' };
    nock(API, { reqheaders: ims })
      .get(`${LIST}/Contacts`)
      .query(true)
      .reply(200, { Contacts: [contact(9)] }, { Date: 'Mon, 23 Nov 2026 10:00:00 GMT' });
    nock(API, { reqheaders: ims })
      .get(`${LIST}/Invoices`)
      .query(true)
      .reply(200, empty('Invoices'), { Date: 'Mon, 23 Nov 2026 10:00:01 GMT' });
    restEmpty(ims);
    const batches: SyncBatch[] = await collect(connector().sync(ctx(), { mode: 'incremental', cursor }));
    expect(batches.flatMap((b) => b.customers ?? []).map((x) => x.externalId)).toEqual(['c-9']);
    // the new watermark is Xero's clock at the start of the pass, less a small overlap
    expect(batches.at(-1)!.cursor).toMatchObject({
      pass: null,
      since: { contacts: '2026-11-23T09:59:55.000Z', invoices: '2026-11-23T09:59:56.000Z' },
    });
  });

  it('treats an unreadable cursor as no cursor: a full pass', async () => {
    nock(API).get(`${LIST}/Contacts`).query(true).reply(200, empty('Contacts'));
    nock(API).get(`${LIST}/Invoices`).query(true).reply(200, empty('Invoices'));
    restEmpty();
    const batches = await collect(
      connector().sync(ctx(), { mode: 'incremental', cursor: { phase: 'something-else' } }),
    );
    expect(batches[0]!.cursor).toMatchObject({ pass: { mode: 'full', collection: 'invoices', page: 1 } });
  });

  it('fails the page (validation) when the list is not where Xero puts it', async () => {
    nock(API).get(`${LIST}/Contacts`).query(true).reply(200, { Contacts: 'nope' });
    await expect(collect(connector().sync(ctx(), { mode: 'full', cursor: null }))).rejects.toMatchObject({
      kind: 'validation',
    });
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
