/**
 * runSync (the lead's sync service) against the QuickBooks emulator, on a real database:
 * a full sync interrupted half-way resumes from the stored cursor without loss or duplicates;
 * then incremental syncs carry edits, voids and deletions.
 */
import { and, count, eq } from 'drizzle-orm';
import { createQuickBooksConnector } from '../../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../../connectors/quickbooks/emulator';
import { connections, creditNotes, customers, invoices, payments } from '../../../src/db/schema';
import { OrgScope } from '../../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../../src/services/connections/lifecycle';
import { createOrganization } from '../../../src/services/organizations';
import { runSync } from '../../../src/services/sync/runSync';
import { createTestApp, type TestApp } from '../../support/app';

const COMPANY = { seed: 21, customers: 80, invoices: 1400, asOf: '2026-11-20', malformed: 1 };
const CLIENT = { clientId: 'qb-int-client', clientSecret: 'qb-int-secret' };

let emu: QuickBooksEmulator;
let t: TestApp;
let orgId: string;
let connectionId: string;

beforeAll(async () => {
  emu = await startQuickBooksEmulator({ company: COMPANY, ...CLIENT, enforceLimits: true });
  t = await createTestApp({
    connectors: [
      createQuickBooksConnector({
        ...CLIENT,
        environment: 'sandbox',
        baseUrl: emu.url,
        retry: { rateLimitWaitMs: 50, baseDelayMs: 5, maxAttempts: 2 },
      }),
    ],
  });
  orgId = (await createOrganization(t.app.db, { name: 'Resume Firm' })).id;
  const c = await addConnectionFromRefreshToken(
    t.app,
    new OrgScope(t.app.db, orgId),
    { platform: 'quickbooks', externalTenantId: emu.realmId, refreshToken: emu.issueRefreshToken() },
    { type: 'system', id: 'test' },
  );
  connectionId = c.id;
});
afterEach(() => emu.clearFaults());
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
  )[0]!.c as {
    phase: string;
    entity?: string;
    startPosition?: number;
  } | null;

describe('QuickBooks sync through runSync', () => {
  it('resumes a full sync interrupted half-way without loss or duplicates', async () => {
    // Term, Customer, Invoice page 1 go through; every later query fails
    emu.injectFault({ status: 500, path: 'query', skip: 3, times: 1_000 });
    const broken = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'full',
      trigger: 'cli',
    });
    expect(broken.status).toBe('failed');
    expect(await rows(customers)).toBe(COMPANY.customers);
    const reported = (errs: { entity: string }[]) => errs.filter((e) => e.entity === 'invoices').length;
    // the first page was written whole: its rows, plus the malformed one if it fell there
    expect((await rows(invoices)) + reported(broken.errors)).toBe(1000);
    expect(await cursor()).toMatchObject({ phase: 'full', entity: 'Invoice', startPosition: 1001 });

    emu.clearFaults();
    emu.resetStats();
    const resumed = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(['succeeded', 'partial']).toContain(resumed.status);
    // the malformed invoice is reported once, by whichever run read it, and skipped
    expect(reported(broken.errors) + reported(resumed.errors)).toBe(1);
    for (const e of [...broken.errors, ...resumed.errors]) expect(e.reason).toContain('CustomerRef');
    const counts = emu.counts();
    expect(await rows(customers)).toBe(counts.Customer);
    expect(await rows(invoices)).toBe(counts.Invoice - 1);
    expect(await rows(payments)).toBe(counts.Payment);
    expect(await rows(creditNotes)).toBe(counts.CreditMemo);
    // it restarted at invoice 1001: Term + the remaining invoice pages + payments + credit memos, nothing more
    const pages = (n: number) => Math.floor(n / 1000) + 1;
    expect(emu.stats().byRoute['GET query']).toBe(
      1 + pages(counts.Invoice - 1000) + pages(counts.Payment) + pages(counts.CreditMemo),
    );
    expect(await cursor()).toMatchObject({ phase: 'incremental' });
  });

  it('carries edits, voids and deletions with one CDC call, and balances come from QuickBooks', async () => {
    const open = await t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(3);
    const [a, b, c] = open as [(typeof open)[number], (typeof open)[number], (typeof open)[number]];
    emu.voidInvoice(a.externalId);
    emu.deleteInvoice(b.externalId);
    emu.editInvoice(c.externalId, { privateNote: 'Edited by the firm' });
    const s = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(s.apiCalls).toBe(1);
    const byId = async (id: string) =>
      (await t.app.db.select().from(invoices).where(eq(invoices.id, id)))[0]!;
    expect(await byId(a.id)).toMatchObject({
      status: 'voided',
      balance: expect.stringMatching(/^0(\.0+)?$/),
    });
    expect((await byId(b.id)).status).toBe('deleted');
    const edited = await byId(c.id);
    expect(edited.status).toBe('open');
    expect(edited.syncToken).not.toBe(c.syncToken);
    // every generated invoice but the malformed one; the deleted one stays, marked deleted
    expect(await rows(invoices)).toBe(COMPANY.invoices - 1);
  });
});
