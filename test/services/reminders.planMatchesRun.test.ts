import { eq } from 'drizzle-orm';
import { contacts, customers, emails, invoices, organizations, tasks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { planForFirm, runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm } from '../support/tenancy';

/**
 * `plan` shows exactly what `run` does (CONTRACT.md §4): same actions, same skips, and `run`
 * carries out the live ones only — here a pilot customer (e-mail), a customer left in preview,
 * and an opted-out customer with no phone (a task to find another channel). Invoices due 10-31.
 */
describe('reminders: plan shows exactly what run does', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T18:00:00Z') });
  });
  afterAll(() => t.close());

  it('run carries out the live actions of the plan, and its plan part is the same document', async () => {
    const f = await seedFirm(t.app, 'Plan Equals Run');
    const scope = new OrgScope(t.app.db, f.id);
    await t.app.db
      .update(organizations)
      .set({ automation: 'live', settings: { pilot: { active: true, tags: [] } } })
      .where(eq(organizations.id, f.id));
    await scope.update(customers, { pilot: true }, eq(customers.id, f.customerId));
    const more = async (n: number, pilot: boolean) => {
      const [c] = await scope
        .insert(customers, {
          connectionId: f.connectionId,
          externalId: String(n),
          name: `Customer ${n}`,
          email: `ap${n}@${f.slug}.example`,
          pilot,
        })
        .returning({ id: customers.id });
      const [i] = await scope
        .insert(invoices, {
          connectionId: f.connectionId,
          externalId: String(100 + n),
          customerId: c!.id,
          number: `INV-${n}`,
          currency: 'USD',
          issueDate: '2026-10-01',
          dueDate: '2026-10-31',
          total: '300.00',
          balance: '300.00',
          status: 'open',
          platformStatus: 'Open',
        })
        .returning({ id: invoices.id });
      return { customerId: c!.id, invoiceId: i!.id };
    };
    const preview = await more(2, false);
    const optedOut = await more(3, true);
    await scope.insert(contacts, {
      customerId: optedOut.customerId,
      email: `ap3@${f.slug}.example`,
      unsubscribedAt: new Date('2026-10-15T00:00:00Z'),
    });

    const planned = await planForFirm(t.app, f.slug, '2026-11-03');
    const byCustomer = new Map(planned.actions.map((a) => [a.customerId, [a.channel, a.live]]));
    expect(byCustomer).toEqual(
      new Map([
        [f.customerId, ['email', true]],
        [preview.customerId, ['email', false]],
        [optedOut.customerId, ['call', true]],
      ]),
    );
    expect(planned.skipped).toContainEqual({ invoiceId: optedOut.invoiceId, reason: 'opted_out' });

    const ran = await runForFirm(t.app, f.slug, '2026-11-03');
    const { results, ...planPart } = ran;
    expect(planPart).toEqual(planned);
    expect(results.map((r) => r.status).sort()).toEqual(['queued', 'task_created']);

    // what run did is what the plan said: one e-mail to the pilot customer, one task, nothing for preview
    const sent = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(sent.map((e) => e.toAddress)).toEqual([`ap@${f.slug}.example`]);
    const made = await t.app.db.select().from(tasks).where(eq(tasks.organizationId, f.id));
    expect(made.map((k) => k.customerId)).toEqual([optedOut.customerId]);

    // and the plan afterwards shows only the preview customer's action still waiting
    const after = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(after.actions.map((a) => [a.customerId, a.live])).toEqual([[preview.customerId, false]]);
  });
});
