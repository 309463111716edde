import { eq } from 'drizzle-orm';
import { invoices, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { savePreferences } from '../../src/services/onboarding/preferences';
import { dueCustomers, findDue } from '../../src/services/reminders/due';
import { runForFirm } from '../../src/services/reminders/run';
import { ingestBatch } from '../../src/services/sync/ingest';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm } from '../support/tenancy';

/** seedFirm's invoice: the "overdue-3" e-mail is due on 2026-11-03 at 09:00 UTC, "call-10" on 11-10. */
describe('reminders: what is due for the sweep', () => {
  let t: TestApp;
  let clock = new Date('2026-11-03T05:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ now: () => clock });
  });
  afterAll(() => t.close());

  it('finds live firms with invoices whose next action has come or that were never planned, and only those', async () => {
    const live = await seedFirm(t.app, 'Due Live');
    const preview = await seedFirm(t.app, 'Due Preview');
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, live.id));
    const mine = (due: Awaited<ReturnType<typeof findDue>>) =>
      due.filter((d) => d.organizationId === live.id || d.organizationId === preview.id);

    // never planned: due now, in live firms only
    expect(mine(await findDue(t.app.db, clock))).toEqual([
      { organizationId: live.id, customerIds: [live.customerId], invoices: 1 },
    ]);
    // planned at 05:00: the next action is the 09:00 e-mail, so nothing is due until then
    await runForFirm(t.app, live.id, clock, { dueBy: clock, customerIds: [live.customerId] });
    expect(mine(await findDue(t.app.db, clock))).toEqual([]);
    expect(await dueCustomers(t.app.db, live.id, clock)).toEqual([]);
    clock = new Date('2026-11-03T09:05:00Z');
    expect(await dueCustomers(t.app.db, live.id, clock)).toEqual([live.customerId]);
    const run = await runForFirm(t.app, live.id, clock, { dueBy: clock, customerIds: [live.customerId] });
    expect(run.results.map((r) => r.status)).toEqual(['queued']);
    await runForFirm(t.app, live.id, clock, { dueBy: clock, customerIds: [live.customerId] });
    const [inv] = await t.app.db.select().from(invoices).where(eq(invoices.id, live.invoiceId));
    expect(inv!.nextActionAt?.toISOString()).toBe('2026-11-10T09:00:00.000Z');
    expect(mine(await findDue(t.app.db, clock))).toEqual([]);

    // a change from the books (a new due date) makes the invoice due for planning at once
    await t.app.db.transaction((tx) =>
      ingestBatch(
        { db: tx, organizationId: live.id, connectionId: live.connectionId },
        {
          entity: 'invoices',
          errors: [],
          cursor: null,
          invoices: [
            {
              externalId: '100',
              number: 'INV-1',
              customerExternalId: '1',
              currency: 'USD',
              issueDate: '2026-10-01',
              dueDate: '2026-11-20',
              total: '1200.00',
              balance: '1200.00',
              homeBalance: null,
              exchangeRate: null,
              status: 'open',
              platformStatus: 'Open',
              onlinePaymentUrl: null,
              lines: [],
              lineCount: 1,
              syncToken: '1',
              updatedAt: '2026-11-03T09:00:00Z',
            },
          ],
        },
      ),
    );
    expect(mine(await findDue(t.app.db, clock))).toEqual([
      { organizationId: live.id, customerIds: [live.customerId], invoices: 1 },
    ]);
  });

  it('an invoice with nothing left to do is looked at again a day later, not every sweep', async () => {
    const f = await seedFirm(t.app, 'Due Disputed');
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    // an open invoice with nothing owed: the planner has no next moment for it
    await new OrgScope(t.app.db, f.id).update(invoices, { balance: '0' }, eq(invoices.id, f.invoiceId));
    clock = new Date('2026-11-03T10:00:00Z');
    await runForFirm(t.app, f.id, clock, { dueBy: clock });
    const [inv] = await t.app.db.select().from(invoices).where(eq(invoices.id, f.invoiceId));
    expect(inv!.nextActionAt?.toISOString()).toBe('2026-11-04T10:00:00.000Z');
    expect(await dueCustomers(t.app.db, f.id, new Date('2026-11-04T09:59:00Z'))).toEqual([]);
    expect(await dueCustomers(t.app.db, f.id, new Date('2026-11-04T10:00:00Z'))).toEqual([f.customerId]);
  });

  it('preferences learned on a call make the customer due for planning at once', async () => {
    const f = await seedFirm(t.app, 'Due Preferences');
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    clock = new Date('2026-11-03T10:00:00Z');
    // the first run sends the 09:00 reminder; the next one records the step after it
    await runForFirm(t.app, f.id, clock, { dueBy: clock });
    await runForFirm(t.app, f.id, clock, { dueBy: clock });
    expect(await dueCustomers(t.app.db, f.id, clock)).toEqual([]);
    const scope = new OrgScope(t.app.db, f.id);
    await scope.transaction((tx) =>
      savePreferences(tx, f.customerId, { hoursFrom: 14, hoursTo: 16 }, { type: 'system', id: null }),
    );
    expect(await dueCustomers(t.app.db, f.id, clock)).toEqual([f.customerId]);
  });
});
