import { eq } from 'drizzle-orm';
import { customers, emails, invoices, memberships, organizations, tasks, users } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { recordHardBounce } from '../../src/services/delivery/bounce';
import { planForFirm, runForFirm } from '../../src/services/reminders/run';
import { importSequences } from '../../src/services/sequences';
import { saveTemplate } from '../../src/services/templates';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const SYS = { type: 'system' as const, id: null };

/**
 * Letter and text-message steps carried out by the runner: each becomes a task for a clerk (no
 * post or SMS provider is wired), once, and never an e-mail. seedFirm's INV-1 (USD 1,200.00) is
 * due Saturday 2026-10-31.
 */
describe('reminders: what sequence steps become (letters, texts, courtesy calls, firm templates, assignee)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-23T18:00:00Z') });
  });
  afterAll(() => t.close());

  async function liveFirm(name: string): Promise<{ f: Firm; scope: OrgScope }> {
    const f = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    return { f, scope: new OrgScope(t.app.db, f.id) };
  }
  const tasksOf = (orgId: string) => t.app.db.select().from(tasks).where(eq(tasks.organizationId, orgId));
  const emailsOf = (orgId: string) => t.app.db.select().from(emails).where(eq(emails.organizationId, orgId));

  it("the firm sequence's letter step makes one letter task to post the final notice", async () => {
    const { f, scope } = await liveFirm('Letter Step');
    await scope.update(customers, { sequenceKey: 'firm' }, eq(customers.id, f.customerId));
    // letter-21 falls on Saturday 21 November: Monday the 23rd; the final e-mail of the 14th is superseded
    const plan = await planForFirm(t.app, f.slug, '2026-11-23');
    expect(plan.actions).toEqual([
      expect.objectContaining({ stepKey: 'letter-21', channel: 'letter', sequenceKey: 'firm', live: true }),
    ]);

    const run = await runForFirm(t.app, f.slug, '2026-11-23');
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    const [task, ...more] = await tasksOf(f.id);
    expect(more).toEqual([]);
    expect(task).toMatchObject({
      kind: 'letter',
      title: 'Send the final notice by post',
      stepKey: 'letter-21',
      invoiceIds: [f.invoiceId],
      dueDate: '2026-11-23',
    });
    expect(task!.talkingPoints).toEqual(
      expect.arrayContaining([
        'Owed: invoice #INV-1, USD 1,200.00, due 2026-10-31 (23 days overdue)',
        'Print the final notice with the open invoices and send it to the billing address',
        // seedFirm's customer has no postal address: the clerk is told before printing anything
        'No postal address on file: ask the customer for one (and add it in the books) before posting',
      ]),
    );
    expect(await emailsOf(f.id)).toEqual([]);

    const again = await runForFirm(t.app, f.slug, '2026-11-23');
    expect(again.results).toEqual([]);
    expect(await tasksOf(f.id)).toHaveLength(1);
  });

  it('a letter step below its minimum balance makes no letter task: the latest step that applies goes instead', async () => {
    const { f, scope } = await liveFirm('Letter Small Balance');
    await scope.update(customers, { sequenceKey: 'firm' }, eq(customers.id, f.customerId));
    await scope.update(invoices, { balance: '120.00' }, eq(invoices.id, f.invoiceId));
    const run = await runForFirm(t.app, f.slug, '2026-11-23');
    // the letter's condition fails, so the latest step whose conditions hold (final-14) is caught up
    expect(run.actions.map((a) => [a.stepKey, a.channel])).toEqual([['final-14', 'email']]);
    expect(await tasksOf(f.id)).toEqual([]);
  });

  it('a text-message step is planned as sms and carried out as a task for the clerk’s phone', async () => {
    const { f, scope } = await liveFirm('Sms Step');
    await scope.update(customers, { phone: '+1 555 0177' }, eq(customers.id, f.customerId));
    await importSequences(
      scope,
      {
        key: 'texting',
        name: 'Texting',
        default: true,
        steps: [{ key: 'sms-3', offsetDays: 3, channel: 'sms', template: 'overdue' }],
      },
      SYS,
    );
    const plan = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(plan.actions).toEqual([
      expect.objectContaining({ stepKey: 'sms-3', channel: 'sms', sequenceKey: 'texting', live: true }),
    ]);

    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    const [task] = await tasksOf(f.id);
    expect(task).toMatchObject({
      kind: 'call',
      title: 'Text the customer about open invoices',
      stepKey: 'sms-3',
    });
    expect(task!.talkingPoints[0]).toMatch(/^A text-message step: Duely sends no texts yet/);
    expect(await emailsOf(f.id)).toEqual([]);
  });

  it("an e-mail step naming the firm's own template sends that e-mail with what is owed", async () => {
    const { f, scope } = await liveFirm('Own Template Step');
    await saveTemplate(
      t.app,
      scope,
      'courtesy-nudge',
      {
        subject: 'A quick nudge about {{invoiceSummary}}',
        body: [
          '<mj-text>',
          '  <p>Dear {{contactName}}, {{totalDue}} is still open.</p>',
          '  {{invoiceTable}}',
          '</mj-text>',
          '<mj-button href="{{portalUrl}}">Settle now</mj-button>',
        ].join('\n'),
      },
      SYS,
    );
    await importSequences(
      scope,
      {
        key: 'courteous',
        name: 'Courteous',
        default: true,
        steps: [{ key: 'nudge-3', offsetDays: 3, channel: 'email', template: 'courtesy-nudge' }],
      },
      SYS,
    );
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.actions.map((a) => [a.sequenceKey, a.stepKey, a.channel])).toEqual([
      ['courteous', 'nudge-3', 'email'],
    ]);
    expect(run.results.map((r) => r.status)).toEqual(['queued']);
    const [email] = await emailsOf(f.id);
    expect(email!.subject).toBe('A quick nudge about invoice #INV-1');
    expect(email!.text).toContain('USD 1,200.00 is still open.');
    expect(email!.html).toContain('Settle now');
  });

  it('a customer of many years late for the first time gets a courtesy call, not the first overdue e-mail', async () => {
    const { f, scope } = await liveFirm('Human Touch');
    await t.app.db
      .update(organizations)
      .set({ automation: 'live', settings: { humanTouch: { minYears: 3 } } })
      .where(eq(organizations.id, f.id));
    await scope.update(customers, { phone: '+1 555 0190' }, eq(customers.id, f.customerId));
    // a customer since 2020 who always paid on time
    await scope.insert(invoices, {
      connectionId: f.connectionId,
      externalId: '50',
      customerId: f.customerId,
      number: 'INV-0',
      currency: 'USD',
      issueDate: '2020-01-02',
      dueDate: '2020-02-01',
      total: '900.00',
      balance: '0.00',
      status: 'paid',
      platformStatus: 'Paid',
      paidAt: new Date('2020-01-28T12:00:00Z'),
    });
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.actions).toEqual([expect.objectContaining({ stepKey: 'overdue-3', channel: 'call' })]);
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    const [task] = await tasksOf(f.id);
    expect(task).toMatchObject({
      kind: 'call',
      title: 'Courtesy call: a long-standing customer is late for the first time',
    });
    expect(task!.talkingPoints[0]).toMatch(/long-standing customer who has never paid late/);
    expect(await emailsOf(f.id)).toEqual([]);

    // once they have paid late, the rule no longer applies: the next overdue e-mail goes out
    await scope.update(invoices, { paidAt: new Date('2020-02-20T12:00:00Z') }, eq(invoices.externalId, '50'));
    const later = await runForFirm(t.app, f.slug, '2026-11-16');
    expect(later.actions).toEqual([expect.objectContaining({ stepKey: 'overdue-14', channel: 'email' })]);
  });

  it('a task from a step goes to the person already on the customer’s tasks; unassigned when none or they cannot work tasks', async () => {
    const userId = async (email: string) =>
      (await t.app.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    const withPhone = async (name: string) => {
      const firm = await liveFirm(name);
      await firm.scope.update(customers, { phone: '+1 555 0123' }, eq(customers.id, firm.f.customerId));
      return firm;
    };
    // call-10 of the standard sequence falls on Tuesday 10 November
    const callTask = async (f: Firm) => {
      expect((await runForFirm(t.app, f.slug, '2026-11-10')).results.map((r) => r.status)).toEqual([
        'task_created',
      ]);
      return (await tasksOf(f.id)).find((k) => k.stepKey === 'call-10')!;
    };

    const sticky = await withPhone('Assignee Sticky');
    const clerk = await userId(sticky.f.users.clerk);
    await sticky.scope.insert(tasks, {
      customerId: sticky.f.customerId,
      kind: 'call',
      title: 'Earlier call',
      dueDate: '2026-10-20',
      idempotencyKey: 'earlier-call',
      status: 'done',
      assigneeUserId: clerk,
    });
    expect((await callTask(sticky.f)).assigneeUserId).toBe(clerk);

    const fresh = await withPhone('Assignee None');
    expect((await callTask(fresh.f)).assigneeUserId).toBeNull();

    const demoted = await withPhone('Assignee Viewer');
    const former = await userId(demoted.f.users.clerk);
    await demoted.scope.insert(tasks, {
      customerId: demoted.f.customerId,
      kind: 'call',
      title: 'Earlier call',
      dueDate: '2026-10-20',
      idempotencyKey: 'earlier-call',
      assigneeUserId: former,
    });
    await demoted.scope.update(memberships, { role: 'viewer' }, eq(memberships.userId, former));
    expect((await callTask(demoted.f)).assigneeUserId).toBeNull();
  });

  it('the task a hard bounce opens goes to the person already on the customer’s tasks', async () => {
    const { f, scope } = await liveFirm('Bounce Assignee');
    const [clerk] = await t.app.db.select({ id: users.id }).from(users).where(eq(users.email, f.users.clerk));
    await scope.insert(tasks, {
      customerId: f.customerId,
      kind: 'call',
      title: 'Earlier call',
      dueDate: '2026-10-20',
      idempotencyKey: 'earlier-call',
      status: 'done',
      assigneeUserId: clerk!.id,
    });
    await runForFirm(t.app, f.slug, '2026-11-03');
    const [email] = await emailsOf(f.id);
    expect(
      await recordHardBounce(t.app, {
        emailId: email!.id,
        reason: '550 5.1.1 no such user',
        source: 'report',
      }),
    ).toBe(true);
    const bounceTask = (await tasksOf(f.id)).find((k) => k.title.includes('bounced'));
    expect(bounceTask).toMatchObject({ kind: 'call', assigneeUserId: clerk!.id, status: 'open' });
  });
});
