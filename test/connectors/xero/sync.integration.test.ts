/**
 * runSync (the lead's sync service) against the Xero emulator, on a real database: a full sync
 * interrupted half-way resumes from the stored cursor without loss, duplicates or refetching;
 * then an incremental sync (If-Modified-Since) carries edits, voids and deletions.
 */
import { and, count, eq } from 'drizzle-orm';
import nock from 'nock';

import { createXeroConnector } from '../../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../../connectors/xero/emulator';
import { connections, creditNotes, customers, invoices, payments } from '../../../src/db/schema';
import { OrgScope } from '../../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../../src/services/connections/lifecycle';
import { createOrganization } from '../../../src/services/organizations';
import { runSync } from '../../../src/services/sync/runSync';
import { createTestApp, type TestApp } from '../../support/app';

const COMPANY = { seed: 31, customers: 120, invoices: 2300, asOf: '2026-11-20', malformed: 1 };
const CLIENT = { clientId: 'xero-int-client', clientSecret: 'xero-int-secret' };

let emu: XeroEmulator;
let t: TestApp;
let orgId: string;
let connectionId: string;

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1');
  emu = await startXeroEmulator({ company: COMPANY, ...CLIENT, enforceLimits: true });
  t = await createTestApp({
    connectors: [
      createXeroConnector({ ...CLIENT, baseUrl: emu.url, retry: { baseDelayMs: 5, maxAttempts: 2 } }),
    ],
  });
  orgId = (await createOrganization(t.app.db, { name: 'Xero Resume Firm' })).id;
  const c = await addConnectionFromRefreshToken(
    t.app,
    new OrgScope(t.app.db, orgId),
    { platform: 'xero', externalTenantId: emu.tenantId, refreshToken: emu.issueRefreshToken() },
    { type: 'system', id: 'test' },
  );
  connectionId = c.id;
});
afterAll(async () => {
  await t?.close();
  await emu?.close();
});

const rows = async (table: typeof customers | typeof invoices | typeof payments | typeof creditNotes) =>
  (await t.app.db.select({ n: count() }).from(table).where(eq(table.organizationId, orgId)))[0]!.n;
const cursor = async () =>
  (
    await t.app.db
      .select({ c: connections.syncCursor })
      .from(connections)
      .where(eq(connections.id, connectionId))
  )[0]!.c as { pass: { mode: string; collection: string; page: number } | null } | null;

/** What Duely keeps of the sales invoices: not drafts, not the malformed one. */
const receivable = (list: ReturnType<XeroEmulator['books']>['invoices']) =>
  list.filter((i) => i.type === 'ACCREC' && i.status !== 'DRAFT' && i.status !== 'SUBMITTED' && !i.malformed);

describe('Xero sync through runSync', () => {
  it('resumes a full sync interrupted half-way without loss, duplicates or refetching', async () => {
    const books = emu.books();
    // Contacts page 1 and Invoices page 1 go through; every later call fails
    emu.failNext(1_000, 500, undefined, 2);
    const broken = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'full',
      trigger: 'cli',
    });
    expect(broken.status).toBe('failed');
    expect(await rows(customers)).toBe(COMPANY.customers);
    const accrec = books.invoices.filter((i) => i.type === 'ACCREC');
    expect(await rows(invoices)).toBe(receivable(accrec.slice(0, 1000)).length);
    expect(await cursor()).toMatchObject({ pass: { mode: 'full', collection: 'invoices', page: 2 } });

    emu.clearFailures();
    emu.resetCallCounts();
    const resumed = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(['succeeded', 'partial']).toContain(resumed.status);
    // the malformed invoice is reported once (by whichever run read its page), the rest goes on
    expect([...broken.errors, ...resumed.errors]).toEqual([
      expect.objectContaining({ entity: 'invoices', reason: expect.stringContaining('Contact') }),
    ]);
    expect(await rows(invoices)).toBe(receivable(books.invoices).length);
    const received = [...books.overpayments, ...books.prepayments].filter((p) =>
      p.kind.startsWith('RECEIVE-'),
    );
    const customerPayments = books.payments.length + received.length;
    expect(await rows(payments)).toBe(customerPayments);
    expect(await rows(creditNotes)).toBe(books.creditNotes.length);
    // restarted at invoice page 2: the invoice pages left + one pass over the other lists
    const pages = (n: number) => Math.max(1, Math.ceil(n / 1000));
    const expected =
      pages(accrec.length) - 1 + pages(books.creditNotes.length) + pages(books.payments.length) + 1 + 1;
    expect(emu.callCount()).toBe(expected);
    expect(resumed.apiCalls).toBe(expected);
    expect(emu.rateLimitedCount()).toBe(0);
    expect(await cursor()).toMatchObject({ pass: null });
  });

  it('carries edits, voids and deletions with one If-Modified-Since call per list', async () => {
    const open = await t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(2);
    const [a, b] = open as [(typeof open)[number], (typeof open)[number]];
    emu.voidInvoice(a.externalId);
    emu.deleteInvoice(b.externalId);
    const [paid] = emu.changeInvoices(1);
    emu.resetCallCounts();
    const s = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(s.apiCalls).toBe(6);
    expect(s.invoices).toBe(3);
    const byExt = async (externalId: string) =>
      (
        await t.app.db
          .select()
          .from(invoices)
          .where(and(eq(invoices.organizationId, orgId), eq(invoices.externalId, externalId)))
      )[0]!;
    expect(await byExt(a.externalId)).toMatchObject({
      status: 'voided',
      balance: expect.stringMatching(/^0(\.0+)?$/),
    });
    expect((await byExt(b.externalId)).status).toBe('deleted');
    expect(await byExt(paid!)).toMatchObject({
      status: 'paid',
      balance: expect.stringMatching(/^0(\.0+)?$/),
    });
    expect(await rows(invoices)).toBe(receivable(emu.books().invoices).length); // the deleted one stays, marked
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
