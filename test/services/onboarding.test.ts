import { and, eq } from 'drizzle-orm';
import type { CanonicalCustomer, CanonicalInvoice } from '../../connectors/types';
import {
  contacts,
  customers,
  emails,
  invoices,
  invoiceSteps,
  messages,
  organizations,
  syncRuns,
  tasks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { startOnboarding } from '../../src/services/onboarding/lifecycle';
import { runForFirm } from '../../src/services/reminders/run';
import { ingestBatch } from '../../src/services/sync/ingest';
import { completeTask } from '../../src/services/tasks';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const SYS = { type: 'system' as const, id: null };

function canonicalCustomer(externalId: string, over: Partial<CanonicalCustomer> = {}): CanonicalCustomer {
  return {
    externalId,
    parentExternalId: null,
    name: `Customer ${externalId}`,
    email: `billing-${externalId}@customer.example`,
    phone: '+1 555 0100',
    currency: 'USD',
    balance: null,
    terms: { externalId: '3', name: 'Net 30', dueDays: 30 },
    address: {
      line1: '1 Main St',
      line2: null,
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      country: 'US',
    },
    active: true,
    deleted: false,
    contacts: [],
    updatedAt: '2026-06-15T08:00:00Z',
    ...over,
  };
}

function canonicalInvoice(
  externalId: string,
  customerExternalId: string,
  over: Partial<CanonicalInvoice> = {},
): CanonicalInvoice {
  return {
    externalId,
    number: `N-${externalId}`,
    customerExternalId,
    currency: 'USD',
    issueDate: '2026-06-15',
    dueDate: '2026-07-15',
    total: '900.00',
    balance: '900.00',
    homeBalance: null,
    exchangeRate: null,
    status: 'open',
    platformStatus: 'Open',
    onlinePaymentUrl: null,
    lines: [],
    lineCount: 1,
    syncToken: '0',
    updatedAt: '2026-06-15T08:00:00Z',
    ...over,
  };
}

describe('onboarding a newly synced customer', () => {
  let t: TestApp;
  let clock = new Date('2026-06-15T18:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ now: () => clock });
  });
  afterAll(() => t.close());

  async function liveFirm(name: string): Promise<Firm> {
    const f = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    return f;
  }
  const ingest = (f: Firm, batch: { customers?: CanonicalCustomer[]; invoices?: CanonicalInvoice[] }) =>
    t.app.db.transaction((tx) =>
      ingestBatch(
        { db: tx, organizationId: f.id, connectionId: f.connectionId },
        { entity: 'customers', errors: [], cursor: null, ...batch },
      ),
    );
  const firstSyncDone = (f: Firm) =>
    new OrgScope(t.app.db, f.id).insert(syncRuns, {
      connectionId: f.connectionId,
      mode: 'full',
      trigger: 'connect',
      status: 'succeeded',
      startedAt: new Date(Date.now() - 60_000),
      finishedAt: new Date(),
    });
  const customerByExt = async (f: Firm, externalId: string) => {
    const [c] = await t.app.db
      .select()
      .from(customers)
      .where(and(eq(customers.organizationId, f.id), eq(customers.externalId, externalId)));
    return c!;
  };

  it('gives nothing to the customers of the first sync; a customer first seen after it is onboarded', async () => {
    const f = await liveFirm('Onboard Detect');
    // the first sync: an existing relationship with an open invoice
    await ingest(f, { customers: [canonicalCustomer('old')], invoices: [canonicalInvoice('old-1', 'old')] });
    await firstSyncDone(f);
    // a later incremental sync changes the old customer and brings a new one, without invoices yet
    await ingest(f, { customers: [canonicalCustomer('old', { name: 'Renamed' }), canonicalCustomer('new')] });
    expect((await customerByExt(f, 'old')).onboardingStatus).toBe('none');
    const pending = await customerByExt(f, 'new');
    expect(pending).toMatchObject({ onboardingStatus: 'pending', onboardingInvoiceId: null });
    // a paid invoice does not anchor onboarding; the first open one does
    await ingest(f, { invoices: [canonicalInvoice('new-0', 'new', { status: 'paid', balance: '0' })] });
    expect((await customerByExt(f, 'new')).onboardingStatus).toBe('pending');
    await ingest(f, {
      invoices: [
        canonicalInvoice('new-2', 'new', { issueDate: '2026-06-20' }),
        canonicalInvoice('new-1', 'new'),
      ],
    });
    const active = await customerByExt(f, 'new');
    expect(active.onboardingStatus).toBe('active');
    const [anchor] = await t.app.db
      .select()
      .from(invoices)
      .where(eq(invoices.id, active.onboardingInvoiceId!));
    expect(anchor!.externalId).toBe('new-1'); // the earliest open invoice
    const plan = await runForFirm(t.app, f.slug, '2026-06-15');
    // the seeded customer and "old" only get their usual sequence; "new" gets onboarding on N-new-1
    const onboarding = plan.actions.filter((a) => a.sequenceKey === 'onboarding');
    expect(onboarding.map((a) => [a.customerId, a.stepKey])).toEqual([
      [active.id, 'master-data-check'],
      [active.id, 'welcome'],
    ]);
    expect(onboarding[0]!.invoiceIds).toEqual([active.onboardingInvoiceId]);
  });

  it('runs the four steps in order at their dates, then the customer is done', async () => {
    const f = await liveFirm('Onboard Steps');
    await firstSyncDone(f);
    await ingest(f, { customers: [canonicalCustomer('c1')], invoices: [canonicalInvoice('i1', 'c1')] });
    const c = await customerByExt(f, 'c1');
    expect(c.onboardingStatus).toBe('active');
    const onboardingOf = async (asOf: string) => {
      clock = new Date(`${asOf}T18:00:00Z`);
      const doc = await runForFirm(t.app, f.slug, asOf);
      return doc.actions.filter((a) => a.customerId === c.id && a.sequenceKey === 'onboarding');
    };

    // issue date (Monday 06-15): the master-data check (no gap: nothing to do) and the welcome e-mail
    const day1 = await onboardingOf('2026-06-15');
    expect(day1.map((a) => [a.stepKey, a.channel])).toEqual([
      ['master-data-check', 'call'],
      ['welcome', 'email'],
    ]);
    const [welcome] = await t.app.db
      .select()
      .from(messages)
      .where(and(eq(messages.customerId, c.id), eq(messages.stepKey, 'welcome')));
    expect(welcome).toMatchObject({ toAddress: 'billing-c1@customer.example' });
    expect(await t.app.db.select().from(tasks).where(eq(tasks.customerId, c.id))).toEqual([]);
    expect(await onboardingOf('2026-06-16')).toEqual([]);

    // two days after the issue date: the introductory call, asking for the preferences
    const day3 = await onboardingOf('2026-06-17');
    expect(day3.map((a) => a.stepKey)).toEqual(['intro-call']);
    const [intro] = await t.app.db.select().from(tasks).where(eq(tasks.customerId, c.id));
    expect(intro).toMatchObject({
      kind: 'call',
      stepKey: 'intro-call',
      dueDate: '2026-06-17',
      status: 'open',
    });
    const points = intro!.talkingPoints.join('\n');
    expect(points).toMatch(/preferred channel/);
    expect(points).toMatch(/AP contact/);
    expect(points).toMatch(/Owed: invoice #N-i1, USD 900\.00, due 2026-07-15/);
    expect(points).toMatch(/Last payment: none on record/);

    // the call reaches the customer: the preferences are saved where the planner and clerks read them
    await completeTask(
      t.app,
      new OrgScope(t.app.db, f.id),
      intro!.id,
      {
        outcome: 'reached',
        note: 'Spoke to Dana in AP',
        preferences: {
          channel: 'email',
          hoursFrom: 8,
          hoursTo: 12,
          timezone: 'America/Chicago',
          apContactName: 'Dana Payer',
          apContactEmail: 'dana@customer.example',
          apPaymentPolicy: 'Payment runs on Thursdays; a PO number is required',
        },
      },
      SYS,
    );
    const after = await customerByExt(f, 'c1');
    expect(after).toMatchObject({
      preferredChannel: 'email',
      preferredHour: 8,
      timezone: 'America/Chicago',
      profile: {
        apContact: 'Dana Payer <dana@customer.example>',
        apPaymentPolicy: 'Payment runs on Thursdays; a PO number is required',
      },
    });
    const [ap] = await t.app.db.select().from(contacts).where(eq(contacts.customerId, c.id));
    expect(ap).toMatchObject({
      role: 'ap',
      source: 'duely',
      email: 'dana@customer.example',
      contactHours: { from: 8, to: 12, days: [1, 2, 3, 4, 5] },
      timezone: 'America/Chicago',
    });

    // five days before the first due date: the check-in that asks for a promise to pay, to the AP contact
    expect(await onboardingOf('2026-07-09')).toEqual([]);
    const checkIn = await onboardingOf('2026-07-10');
    expect(checkIn.map((a) => a.stepKey)).toEqual(['first-due-check-in']);
    const [msg] = await t.app.db
      .select()
      .from(messages)
      .where(and(eq(messages.customerId, c.id), eq(messages.stepKey, 'first-due-check-in')));
    expect(msg!.toAddress).toBe('dana@customer.example');
    expect(msg!.sendAt.toISOString()).toBe('2026-07-10T13:00:00.000Z'); // 08:00 in Chicago
    expect((await customerByExt(f, 'c1')).onboardingStatus).toBe('done');
    await t.app.queue.drain();
    const sent = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(sent.filter((e) => e.toAddress === 'dana@customer.example')).toHaveLength(1);
  });

  it('turns gaps in the billing details into one task listing them', async () => {
    const f = await liveFirm('Onboard Gaps');
    await firstSyncDone(f);
    await ingest(f, {
      customers: [canonicalCustomer('g1', { terms: null, address: null, phone: null })],
      invoices: [canonicalInvoice('gi1', 'g1')],
    });
    const c = await customerByExt(f, 'g1');
    const first = await runForFirm(t.app, f.slug, '2026-06-15');
    const second = await runForFirm(t.app, f.slug, '2026-06-15');
    expect(second.results).toEqual([]);
    const list = await t.app.db.select().from(tasks).where(eq(tasks.customerId, c.id));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'master_data', stepKey: 'master-data-check', status: 'open' });
    const points = list[0]!.talkingPoints.join('\n');
    expect(points).toMatch(/Missing: payment terms/);
    expect(points).toMatch(/Missing: a complete billing address/);
    expect(points).toMatch(/Missing: a phone number/);
    expect(points).not.toMatch(/billing e-mail/);
    expect(first.actions.map((a) => a.stepKey).sort()).toEqual(['master-data-check', 'welcome']);
    expect(first.results.map((r) => r.status).sort()).toEqual(['queued', 'task_created']);
    const done = await t.app.db.select().from(invoiceSteps).where(eq(invoiceSteps.organizationId, f.id));
    expect(done.map((d) => d.stepKey).sort()).toEqual(['master-data-check', 'welcome']);
  });

  it('lets the firm start onboarding by hand for an existing customer, once', async () => {
    const f = await liveFirm('Onboard Manual');
    const scope = new OrgScope(t.app.db, f.id);
    const started = await startOnboarding(scope, f.customerId, SYS);
    expect(started).toEqual({ status: 'active', invoiceId: f.invoiceId });
    await expect(startOnboarding(scope, f.customerId, SYS)).rejects.toThrow(/already under way/);
    const other = await seedFirm(t.app, 'Onboard Other');
    await expect(startOnboarding(scope, other.customerId, SYS)).rejects.toThrow(/customer not found/);
  });
});
