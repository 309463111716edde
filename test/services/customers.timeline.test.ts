import { eq, sql } from 'drizzle-orm';
import {
  activities,
  customers,
  disputeMessages,
  disputes,
  invoices,
  messages,
  organizations,
  paymentAllocations,
  payments,
  promiseInvoices,
  promises,
  tasks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { customerTimeline, type TimelineEntry } from '../../src/services/customers/timeline';
import { ValidationError } from '../../src/services/errors';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const at = (s: string) => new Date(s);
const ZONE = 'Europe/Berlin';

describe('customer timeline: one merged history, newest first', () => {
  let t: TestApp;
  let f: Firm;
  let scope: OrgScope;
  let otherCustomer: string;

  beforeAll(async () => {
    t = await createTestApp({ now: () => at('2026-10-01T12:00:00Z') });
    f = await seedFirm(t.app, 'Hotel Hardware');
    await t.app.db.update(organizations).set({ timezone: ZONE }).where(eq(organizations.id, f.id));
    scope = new OrgScope(t.app.db, f.id);
    const c = f.customerId;
    // seedFirm's INV-1 was issued 2026-10-01: move it into September for a clean story
    await scope.update(
      invoices,
      { issueDate: '2026-09-01', paidAt: at('2026-09-20T06:00:00Z'), status: 'paid', balance: '0' },
      eq(invoices.id, f.invoiceId),
    );
    const [task] = await scope
      .insert(tasks, {
        customerId: c,
        kind: 'call',
        title: 'Call about INV-1',
        dueDate: '2026-09-04',
        invoiceIds: [f.invoiceId],
        idempotencyKey: 'seq-call',
        createdAt: at('2026-09-02T10:00:00Z'),
        status: 'done',
        outcome: 'reached',
        outcomeNote: 'Will pay next week',
        completedAt: at('2026-09-04T10:00:00Z'),
      })
      .returning({ id: tasks.id });
    const msg = {
      customerId: c,
      invoiceIds: [f.invoiceId],
      sequenceKey: 'standard',
      sequenceVersion: 1,
      channel: 'email' as const,
      live: true,
      toAddress: 'ap@hotel.example',
    };
    const [m1] = await scope
      .insert(messages, {
        ...msg,
        stepKey: 'overdue-3',
        status: 'sent',
        subject: 'INV-1 is overdue',
        idempotencyKey: 'm1',
        sendAt: at('2026-09-03T09:00:00Z'),
        sentAt: at('2026-09-03T09:00:00Z'),
        openedAt: at('2026-09-03T10:00:00Z'),
        clickedAt: at('2026-09-03T11:00:00Z'),
      })
      .returning({ id: messages.id });
    await scope.insert(messages, {
      ...msg,
      stepKey: 'overdue-10',
      status: 'bounced',
      subject: 'Second notice',
      idempotencyKey: 'm2',
      sendAt: at('2026-09-15T09:00:00Z'),
      sentAt: at('2026-09-15T09:00:00Z'),
      bouncedAt: at('2026-09-15T10:00:00Z'),
    });
    await scope.insert(messages, {
      ...msg,
      stepKey: 'overdue-20',
      status: 'failed',
      error: 'mailbox full',
      idempotencyKey: 'm3',
      sendAt: at('2026-09-16T09:00:00Z'),
    });
    const [p] = await scope
      .insert(promises, {
        customerId: c,
        amount: '1200.00',
        currency: 'USD',
        promisedDate: '2026-09-08',
        graceDays: 1,
        status: 'broken',
        source: 'call',
        createdAt: at('2026-09-05T10:00:00Z'),
        resolvedAt: at('2026-09-10T10:00:00Z'),
      })
      .returning({ id: promises.id });
    await t.app.db.insert(promiseInvoices).values({
      promiseId: p!.id,
      invoiceId: f.invoiceId,
      organizationId: f.id,
      balanceAtPromise: '1200.00',
    });
    const [d] = await scope
      .insert(disputes, {
        customerId: c,
        reference: 'D-1001',
        kind: 'dispute',
        category: 'pricing',
        source: 'portal',
        status: 'resolved',
        outcome: 'credit_issued',
        firstResponseDueAt: at('2026-09-12T10:00:00Z'),
        createdAt: at('2026-09-11T10:00:00Z'),
        resolvedAt: at('2026-09-12T10:00:00Z'),
      })
      .returning({ id: disputes.id });
    await scope.insert(disputeMessages, {
      disputeId: d!.id,
      author: 'customer',
      body: 'The unit price is wrong',
      createdAt: at('2026-09-11T12:00:00Z'),
    });
    await scope.insert(activities, [
      {
        customerId: c,
        kind: 'note',
        actorType: 'system',
        body: 'Spoke to AP',
        createdAt: at('2026-09-13T10:00:00Z'),
      },
      { customerId: c, kind: 'portal.visit', actorType: 'customer', createdAt: at('2026-09-14T10:00:00Z') },
      // repeats of what the messages and tasks rows already show: not shown twice
      {
        customerId: c,
        kind: 'message.opened',
        actorType: 'customer',
        data: { messageId: m1!.id },
        createdAt: at('2026-09-03T10:00:00Z'),
      },
      {
        customerId: c,
        kind: 'call.logged',
        actorType: 'system',
        data: { taskId: task!.id },
        createdAt: at('2026-09-04T10:00:00Z'),
      },
    ]);
    const [pay] = await scope
      .insert(payments, {
        connectionId: f.connectionId,
        externalId: 'pay-1',
        customerId: c,
        date: '2026-09-20',
        amount: '1200.00',
        currency: 'USD',
        method: 'ACH',
      })
      .returning({ id: payments.id });
    await scope.insert(paymentAllocations, {
      paymentId: pay!.id,
      invoiceId: f.invoiceId,
      invoiceExternalId: '100',
      amount: '1200.00',
    });
    // a call logged from the customer page leaves a task whose creation is not a separate event
    await scope.insert(tasks, {
      customerId: c,
      kind: 'call',
      title: 'Call with Hotel',
      dueDate: '2026-09-25',
      idempotencyKey: 'logcall:4f1c7a52-8d2e-4a8e-9a4c-0d3f3c1b2a10',
      createdAt: at('2026-09-25T10:00:00Z'),
    });

    // someone else's history never shows
    const [other] = await scope
      .insert(customers, { connectionId: f.connectionId, externalId: 'other', name: 'Other' })
      .returning({ id: customers.id });
    otherCustomer = other!.id;
    await scope.insert(activities, {
      customerId: otherCustomer,
      kind: 'note',
      actorType: 'system',
      body: 'not yours',
    });
  });
  afterAll(() => t.close());

  async function everything(limit = 200): Promise<TimelineEntry[]> {
    const out: TimelineEntry[] = [];
    let before: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page = await customerTimeline(scope, f.customerId, { timezone: ZONE, limit, before });
      out.push(...page.entries);
      if (!page.older) return out;
      before = page.older;
    }
    throw new Error('timeline never ended');
  }

  it('holds one entry of each kind, newest first', async () => {
    const entries = await everything();
    expect(entries.map((e) => e.kind)).toEqual([
      'invoice.paid',
      'payment.received',
      'message.failed',
      'message.bounced',
      'message.sent',
      'portal.visit',
      'note',
      'dispute.resolved',
      'dispute.message',
      'dispute.opened',
      'promise.broken',
      'promise.made',
      'task.done',
      'message.clicked',
      'message.opened',
      'message.sent',
      'task.created',
      'invoice.issued',
    ]);
    const byKind = (k: string) => entries.find((e) => e.kind === k)!;
    // a dated fact sits at midnight in the firm's zone
    expect(byKind('invoice.issued').at.toISOString()).toBe('2026-08-31T22:00:00.000Z');
    expect(byKind('invoice.issued')).toMatchObject({
      dateOnly: true,
      title: 'INV-1',
      invoiceNumbers: ['INV-1'],
    });
    expect(byKind('payment.received')).toMatchObject({
      amount: '1200.0000',
      body: 'ACH',
      invoiceNumbers: ['INV-1'],
    });
    expect(byKind('task.done')).toMatchObject({ status: 'reached', body: 'Will pay next week' });
    expect(byKind('promise.made')).toMatchObject({ title: '2026-09-08', invoiceNumbers: ['INV-1'] });
    expect(byKind('dispute.message')).toMatchObject({
      actorType: 'customer',
      body: 'The unit price is wrong',
    });
    expect(byKind('message.failed').body).toBe('mailbox full');
    expect(JSON.stringify(entries)).not.toContain('not yours');
  });

  it('pages "show older" without losing or repeating an entry', async () => {
    const all = await everything();
    const paged = await everything(4);
    expect(paged.map((e) => e.key)).toEqual(all.map((e) => e.key));
  });

  it('keeps entries of the same millisecond apart across pages', async () => {
    const [c] = await scope
      .insert(customers, { connectionId: f.connectionId, externalId: 'burst', name: 'Burst' })
      .returning({ id: customers.id });
    for (let i = 1; i <= 5; i++)
      await t.app.db.execute(
        sql`insert into activities (organization_id, customer_id, kind, actor_type, body, created_at)
            values (${f.id}, ${c!.id}, 'note', 'system', ${`n${i}`}, ${`2026-09-30T10:00:00.0001${i}Z`}::timestamptz)`,
      );
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page = await customerTimeline(scope, c!.id, { timezone: ZONE, limit: 2, before });
      seen.push(...page.entries.map((e) => e.body!));
      before = page.older;
    } while (before);
    expect(seen).toEqual(['n5', 'n4', 'n3', 'n2', 'n1']);
  });

  it('refuses a cursor it did not make', async () => {
    await expect(
      customerTimeline(scope, f.customerId, { timezone: ZONE, before: 'bm90IGEgY3Vyc29y' }),
    ).rejects.toThrow(ValidationError);
  });
});
