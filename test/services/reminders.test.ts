import { eq } from 'drizzle-orm';
import {
  contacts,
  customers,
  emails,
  invoices,
  invoiceSteps,
  messages,
  organizations,
  tasks,
  writeBacks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { STANDARD } from '../../src/domain/sequences/builtins';
import { planForFirm, runForFirm } from '../../src/services/reminders/run';
import { importSequences, listSequences } from '../../src/services/sequences';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const SYS = { type: 'system' as const, id: null };

/** seedFirm's invoice is due Saturday 2026-10-31: the "overdue-3" step falls on Tuesday 11-03. */
describe('reminders: plan and run from the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T18:00:00Z') });
  });
  afterAll(() => t.close());

  async function liveFirm(name: string, automation: 'live' | 'preview' = 'live'): Promise<Firm> {
    const f = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation }).where(eq(organizations.id, f.id));
    return f;
  }
  const count = async (table: typeof messages | typeof tasks | typeof invoiceSteps, orgId: string) =>
    (await t.app.db.select({ id: table.id }).from(table).where(eq(table.organizationId, orgId))).length;

  it('plans in the shape of CONTRACT §4 and sends nothing', async () => {
    const f = await liveFirm('Plan Shape');
    const doc = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(doc).toEqual({
      asOf: '2026-11-03',
      actions: [
        {
          customerId: f.customerId,
          invoiceIds: [f.invoiceId],
          sequenceKey: 'standard',
          stepKey: 'overdue-3',
          channel: 'email',
          sendAt: '2026-11-03T09:00:00.000Z',
          live: true,
        },
      ],
      skipped: [{ invoiceId: f.invoiceId, reason: 'superseded' }],
    });
    expect(await count(messages, f.id)).toBe(0);
  });

  it('runs each due step once: a second run for the same date sends nothing new', async () => {
    const f = await liveFirm('Run Twice');
    const first = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(first.results).toEqual([{ idempotencyKey: expect.any(String), status: 'queued' }]);
    const second = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(second.actions).toEqual([]);
    expect(await count(messages, f.id)).toBe(1);
    await t.app.queue.drain();
    const sent = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ toAddress: `ap@${f.slug}.example`, status: 'sent' });
    expect(sent[0]!.text).toContain('INV-1');
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.organizationId, f.id));
    expect(msg).toMatchObject({ stepKey: 'overdue-3', emailId: sent[0]!.id, invoiceIds: [f.invoiceId] });
    const notes = await t.app.db.select().from(writeBacks).where(eq(writeBacks.organizationId, f.id));
    expect(notes.map((n) => n.idempotencyKey)).toEqual([`note:${msg!.id}:${f.invoiceId}`]);
    // the sweep looks at the invoice again when its next step (call-10) falls due
    const [inv] = await t.app.db.select().from(invoices).where(eq(invoices.id, f.invoiceId));
    expect(inv!.nextActionAt?.toISOString()).toBe('2026-11-10T09:00:00.000Z');
  });

  it('two concurrent runs create exactly one message per step', async () => {
    const f = await liveFirm('Concurrent Runs');
    const [a, b] = await Promise.all([
      runForFirm(t.app, f.slug, '2026-11-03'),
      runForFirm(t.app, f.slug, '2026-11-03'),
    ]);
    const statuses = [...a.results, ...b.results].map((r) => r.status).sort();
    expect(statuses).toEqual(['already_done', 'queued']);
    expect(await count(messages, f.id)).toBe(1);
    expect(await count(invoiceSteps, f.id)).toBe(1);
  });

  it('a firm in preview gets a plan with live false and run sends nothing', async () => {
    const f = await liveFirm('Preview Firm', 'preview');
    const doc = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(doc.actions.map((a) => a.live)).toEqual([false]);
    expect(doc.results).toEqual([]);
    expect(await count(messages, f.id)).toBe(0);
    expect(await count(invoiceSteps, f.id)).toBe(0);
  });

  it('an invoice whose customer has no e-mail becomes a call task when there is a phone, else a skip', async () => {
    const f = await liveFirm('No Email');
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(customers, { email: null }, eq(customers.id, f.customerId));
    const skippedPlan = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(skippedPlan.actions).toEqual([]);
    expect(skippedPlan.skipped).toContainEqual({ invoiceId: f.invoiceId, reason: 'no_contact' });

    await scope.update(customers, { phone: '+1 555 0100' }, eq(customers.id, f.customerId));
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.actions).toMatchObject([{ channel: 'call', stepKey: 'overdue-3' }]);
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    const [task] = await t.app.db.select().from(tasks).where(eq(tasks.organizationId, f.id));
    expect(task).toMatchObject({ kind: 'call', status: 'open', dueDate: '2026-11-03' });
    expect(task!.talkingPoints.join('\n')).toMatch(/No deliverable e-mail address/);
    expect(task!.talkingPoints.join('\n')).toMatch(/Owed: invoice #INV-1, USD 1,200.00, due 2026-10-31/);
    expect(await count(messages, f.id)).toBe(0);
    expect((await runForFirm(t.app, f.slug, '2026-11-03')).actions).toEqual([]);
    expect(await count(tasks, f.id)).toBe(1);
  });

  it('a changed sequence makes version 2 and never re-sends a step already sent', async () => {
    const f = await liveFirm('Versioned');
    const scope = new OrgScope(t.app.db, f.id);
    await runForFirm(t.app, f.slug, '2026-11-03');
    const changed = {
      ...STANDARD,
      steps: STANDARD.steps.map((s) => (s.key === 'overdue-3' ? { ...s, offsetDays: 4 } : s)),
    };
    expect(await importSequences(scope, changed, SYS)).toEqual({
      sequences: [{ key: 'standard', version: 2, status: 'updated' }],
    });
    expect(await importSequences(scope, changed, SYS)).toEqual({
      sequences: [{ key: 'standard', version: 2, status: 'unchanged' }],
    });
    const standard = (await listSequences(scope)).find((s) => s.key === 'standard');
    expect(standard).toMatchObject({ version: 2, isDefault: true });
    const next = await runForFirm(t.app, f.slug, '2026-11-04');
    expect(next.actions).toEqual([]);
    expect(await count(messages, f.id)).toBe(1);
  });

  it('an action that cannot be carried out fails alone and is planned again', async () => {
    const f = await liveFirm('One Bad Record');
    const scope = new OrgScope(t.app.db, f.id);
    const [other] = await scope
      .insert(customers, {
        connectionId: f.connectionId,
        externalId: '2',
        name: 'Broken Currency',
        email: 'ap@broken.example',
      })
      .returning({ id: customers.id });
    await scope.insert(invoices, {
      connectionId: f.connectionId,
      externalId: '200',
      customerId: other!.id,
      number: 'INV-2',
      currency: 'DOLLARS',
      issueDate: '2026-10-01',
      dueDate: '2026-10-31',
      total: '5.00',
      balance: '5.00',
      status: 'open',
      platformStatus: 'Open',
    });
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.results.map((r) => r.status).sort()).toEqual(['failed', 'queued']);
    expect(run.results.find((r) => r.status === 'failed')!.error).toMatch(/currency/);
    expect(await count(messages, f.id)).toBe(1);
    expect(await count(invoiceSteps, f.id)).toBe(1);
    const again = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(again.actions.map((a) => a.customerId)).toEqual([other!.id]);
  });

  it("holds every reminder while the firm's automation is held for a reconnection", async () => {
    const f = await liveFirm('Held Firm');
    await t.app.db
      .update(organizations)
      .set({ automationHeldReason: 'QuickBooks needs reconnecting' })
      .where(eq(organizations.id, f.id));
    const doc = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(doc).toMatchObject({
      actions: [],
      skipped: [{ invoiceId: f.invoiceId, reason: 'needs_reconnect' }],
    });
    expect(await count(messages, f.id)).toBe(0);
  });

  it('one e-mail covers two invoices of a customer due the same day, and both get the step and a note', async () => {
    const f = await liveFirm('Two Invoices');
    const scope = new OrgScope(t.app.db, f.id);
    const [second] = await scope
      .insert(invoices, {
        connectionId: f.connectionId,
        externalId: '101',
        customerId: f.customerId,
        number: 'INV-2',
        currency: 'USD',
        issueDate: '2026-10-02',
        dueDate: '2026-10-31',
        total: '300.00',
        balance: '300.00',
        status: 'open',
        platformStatus: 'Open',
      })
      .returning({ id: invoices.id });
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.actions).toMatchObject([{ invoiceIds: [f.invoiceId, second!.id].sort() }]);
    expect(await count(messages, f.id)).toBe(1);
    expect(await count(invoiceSteps, f.id)).toBe(2);
    const notes = await t.app.db.select().from(writeBacks).where(eq(writeBacks.organizationId, f.id));
    expect(notes.map((n) => n.invoiceId).sort()).toEqual([f.invoiceId, second!.id].sort());
    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(email!.text).toMatch(/INV-1[\s\S]*INV-2/);
  });

  it('reads contacts: an unsubscribed contact means opted out; a bounced address is not an address', async () => {
    const f = await liveFirm('Contacts Count');
    const scope = new OrgScope(t.app.db, f.id);
    await scope.insert(contacts, {
      customerId: f.customerId,
      email: 'billing@contacts.example',
      unsubscribedAt: new Date('2026-10-01T00:00:00Z'),
    });
    expect((await planForFirm(t.app, f.slug, '2026-11-03')).skipped).toContainEqual({
      invoiceId: f.invoiceId,
      reason: 'opted_out',
    });
    await scope.update(contacts, { unsubscribedAt: null, emailStatus: 'bounced' });
    expect((await planForFirm(t.app, f.slug, '2026-11-03')).skipped).toContainEqual({
      invoiceId: f.invoiceId,
      reason: 'no_contact',
    });
    await scope.update(contacts, { emailStatus: 'ok' });
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.results.map((r) => r.status)).toEqual(['queued']);
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.organizationId, f.id));
    expect(msg!.toAddress).toBe('billing@contacts.example');
  });

  it('while the firm pilots, only pilot customers are live', async () => {
    const f = await liveFirm('Pilot Firm');
    await t.app.db
      .update(organizations)
      .set({ settings: { pilot: { active: true } } })
      .where(eq(organizations.id, f.id));
    expect((await runForFirm(t.app, f.slug, '2026-11-03')).actions.map((a) => a.live)).toEqual([false]);
    expect(await count(messages, f.id)).toBe(0);
    await new OrgScope(t.app.db, f.id).update(customers, { pilot: true }, eq(customers.id, f.customerId));
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.actions.map((a) => a.live)).toEqual([true]);
    expect(run.results.map((r) => r.status)).toEqual(['queued']);
  });

  it('a paid invoice is not planned', async () => {
    const f = await liveFirm('Paid Up');
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(invoices, { balance: '0' }, eq(invoices.id, f.invoiceId));
    const doc = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(doc).toEqual({
      asOf: '2026-11-03',
      actions: [],
      skipped: [{ invoiceId: f.invoiceId, reason: 'paid' }],
    });
  });
});
