import { eq } from 'drizzle-orm';
import {
  contacts,
  customers,
  emails,
  invoiceSteps,
  messages,
  organizations,
  tasks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { planForFirm, runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

/**
 * An opted-out customer is never e-mailed and never simply dropped: a call task when there is a
 * phone, a letter task when there is a postal address, else a task to find another channel.
 * seedFirm's invoice is due Saturday 2026-10-31: "overdue-3" falls on Tuesday 11-03.
 */
describe('reminders: an opted-out customer gets a human touch, never an e-mail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T18:00:00Z') });
  });
  afterAll(() => t.close());

  async function optedOutFirm(name: string): Promise<{ f: Firm; scope: OrgScope }> {
    const f = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    const scope = new OrgScope(t.app.db, f.id);
    await scope.insert(contacts, {
      customerId: f.customerId,
      name: 'Pat Payables',
      email: `ap@${f.slug}.example`,
      unsubscribedAt: new Date('2026-10-20T00:00:00Z'),
    });
    return { f, scope };
  }
  const tasksOf = (orgId: string) => t.app.db.select().from(tasks).where(eq(tasks.organizationId, orgId));
  const emailsOf = (orgId: string) => t.app.db.select().from(emails).where(eq(emails.organizationId, orgId));
  const messagesOf = (orgId: string) =>
    t.app.db.select().from(messages).where(eq(messages.organizationId, orgId));

  it('with no phone and no address: a task to find another channel, the e-mail reported skipped', async () => {
    const { f } = await optedOutFirm('Opted Out Nowhere');
    const doc = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(doc.actions).toMatchObject([{ stepKey: 'overdue-3', channel: 'call', live: true }]);
    expect(doc.skipped).toContainEqual({ invoiceId: f.invoiceId, reason: 'opted_out' });

    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    const [task, ...more] = await tasksOf(f.id);
    expect(more).toEqual([]);
    expect(task).toMatchObject({
      kind: 'other',
      status: 'open',
      title: 'Find another way to reach the customer about open invoices',
      invoiceIds: [f.invoiceId],
      dueDate: '2026-11-03',
    });
    const points = task!.talkingPoints.join('\n');
    expect(points).toMatch(/unsubscribed from reminder e-mails/);
    expect(points).toMatch(/Owed: invoice #INV-1, USD 1,200\.00, due 2026-10-31 \(3 days overdue\)/);
    expect(points).toMatch(/no phone number or postal address on file/);
    expect(await emailsOf(f.id)).toEqual([]);
    expect((await messagesOf(f.id)).filter((m) => m.channel === 'email')).toEqual([]);
  });

  it('a later e-mail step points at the open find-a-channel task instead of opening another', async () => {
    const { f } = await optedOutFirm('Opted Out Later Step');
    await runForFirm(t.app, f.slug, '2026-11-03');
    // overdue-14 falls on Saturday 11-14, so Monday 11-16 (call-10 on 11-10 has no number: skipped)
    const later = await runForFirm(t.app, f.slug, '2026-11-16');
    expect(later.actions).toMatchObject([{ stepKey: 'overdue-14', channel: 'call' }]);
    expect(later.results.map((r) => r.status)).toEqual(['nothing_to_do']);
    const all = await tasksOf(f.id);
    expect(all).toHaveLength(1);
    const steps = await t.app.db
      .select({ stepKey: invoiceSteps.stepKey, taskId: invoiceSteps.taskId })
      .from(invoiceSteps)
      .where(eq(invoiceSteps.organizationId, f.id));
    expect(steps.map((s) => [s.stepKey, s.taskId]).sort()).toEqual([
      ['overdue-14', all[0]!.id],
      ['overdue-3', all[0]!.id],
    ]);
    // once the clerk has closed it, the next step opens a new one
    await t.app.db.update(tasks).set({ status: 'done' }).where(eq(tasks.id, all[0]!.id));
    const final = await runForFirm(t.app, f.slug, '2026-11-30');
    expect(final.results.map((r) => r.status)).toEqual(['task_created']);
    expect(await tasksOf(f.id)).toHaveLength(2);
    expect(await emailsOf(f.id)).toEqual([]);
  });

  it('with a postal address and no phone: a letter task', async () => {
    const { f, scope } = await optedOutFirm('Opted Out Letter');
    await scope.update(
      customers,
      {
        address: {
          line1: '1 Harbour Road',
          line2: null,
          city: 'Portsmouth',
          region: null,
          postalCode: 'PO1 2AB',
          country: 'GB',
        },
      },
      eq(customers.id, f.customerId),
    );
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.actions).toMatchObject([{ stepKey: 'overdue-3', channel: 'letter' }]);
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    const [task] = await tasksOf(f.id);
    expect(task).toMatchObject({ kind: 'letter', title: 'Send a payment reminder by post' });
    expect(task!.talkingPoints.join('\n')).toMatch(/Post it to the billing address/);
    expect(task!.talkingPoints).toContain('Post to: 1 Harbour Road, Portsmouth PO1 2AB, GB');
    expect(await emailsOf(f.id)).toEqual([]);
  });

  it('with a phone: a call task, and still no e-mail', async () => {
    const { f, scope } = await optedOutFirm('Opted Out Phone');
    await scope.update(customers, { phone: '+1 555 0142' }, eq(customers.id, f.customerId));
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    const [task] = await tasksOf(f.id);
    expect(task).toMatchObject({ kind: 'call', title: 'Call about open invoices' });
    expect(await emailsOf(f.id)).toEqual([]);
  });
});
