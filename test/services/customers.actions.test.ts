import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import {
  activities,
  auditLog,
  contacts,
  customers,
  disputes,
  emails,
  invoices,
  portalTokens,
  promises,
  tasks,
  users,
  writeBacks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { plan } from '../../src/domain/planner';
import type { Actor } from '../../src/services/audit';
import {
  parseTags,
  pauseCustomer,
  resumeCustomer,
  setCustomerPilot,
  setCustomerSequence,
  setCustomerTags,
} from '../../src/services/customers/automation';
import { logCall } from '../../src/services/customers/calls';
import { answerDispute, recordDispute, recordPromise } from '../../src/services/customers/cases';
import { addNote } from '../../src/services/customers/notes';
import { revokeCustomerLinks, sendPortalLink } from '../../src/services/customers/portalLinks';
import { customerTimeline } from '../../src/services/customers/timeline';
import { NotFoundError, ValidationError } from '../../src/services/errors';
import { findOrganization } from '../../src/services/organizations';
import { buildPlannerInput } from '../../src/services/reminders/plannerInput';
import { planForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm } from '../support/tenancy';

/** Tuesday 2026-11-03; seedFirm's INV-1 (USD 1200.00) fell due on Saturday 10-31. */
const NOW = new Date('2026-11-03T15:00:00Z');
const key = () => crypto.randomUUID();

describe('customer page actions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => NOW });
  });
  afterAll(() => t.close());

  async function firm(name: string) {
    const f = await seedFirm(t.app, name);
    const scope = new OrgScope(t.app.db, f.id);
    const [u] = await t.app.db.select().from(users).where(eq(users.email, f.users.clerk));
    const actor: Actor = { type: 'user', id: u!.id };
    const kinds = async () =>
      (await customerTimeline(scope, f.customerId, { timezone: 'UTC', limit: 200 })).entries.map(
        (e) => e.kind,
      );
    const audits = async (action: string) =>
      (
        await t.app.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.organizationId, f.id), eq(auditLog.action, action)))
      ).length;
    return { f, scope, actor, kinds, audits };
  }

  it('pauses a customer: the planner skips its invoices as paused, until resumed', async () => {
    const { f, scope, actor, kinds, audits } = await firm('Pause Co');
    await pauseCustomer(
      scope,
      f.customerId,
      { until: '2026-11-30', reason: 'Waiting for their PO' },
      actor,
      NOW,
    );
    const paused = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(paused.actions).toEqual([]);
    expect(paused.skipped).toContainEqual({ invoiceId: f.invoiceId, reason: 'paused' });
    expect(await kinds()).toContain('customer.paused');
    expect(await audits('customer.paused')).toBe(1);

    expect(await resumeCustomer(scope, f.customerId, actor)).toBe(true);
    const resumed = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(resumed.skipped.map((s) => s.reason)).not.toContain('paused');
    expect(resumed.actions.length).toBeGreaterThan(0);
    expect((await kinds())[0]).toBe('customer.resumed');
    expect(await resumeCustomer(scope, f.customerId, actor)).toBe(false);
  });

  it('refuses a pause with a bad date, in the past, or without a reason, changing nothing', async () => {
    const { f, scope, actor } = await firm('Bad Pause');
    for (const [until, reason, message] of [
      ['2026-13-01', 'x', /YYYY-MM-DD/],
      ['2026-11-02', 'x', /today or later/],
      ['2026-11-30', ' ', /say why/],
    ] as const)
      await expect(pauseCustomer(scope, f.customerId, { until, reason }, actor, NOW)).rejects.toThrow(
        message,
      );
    const [c] = await scope.select(customers, eq(customers.id, f.customerId));
    expect(c!.pausedUntil).toBeNull();
    await expect(
      pauseCustomer(scope, crypto.randomUUID(), { until: '2026-11-30', reason: 'x' }, actor, NOW),
    ).rejects.toThrow(NotFoundError);
  });

  it('changes the sequence by hand: the plan uses it; back to automatic uses the default again', async () => {
    const { f, scope, actor, kinds } = await firm('Sequence Co');
    const org = await findOrganization(t.app.db, f.id);
    const sequencesOf = async () => {
      const out = plan(await buildPlannerInput(t.app.db, org, '2026-11-03'));
      return new Set(
        [...out.actions.map((a) => a.sequenceKey), ...out.skipped.map((s) => s.sequenceKey)].filter(Boolean),
      );
    };
    expect(await sequencesOf()).toEqual(new Set(['standard']));
    expect(await setCustomerSequence(scope, f.customerId, 'gentle', actor)).toBe(true);
    expect(await sequencesOf()).toEqual(new Set(['gentle']));
    expect(await setCustomerSequence(scope, f.customerId, 'gentle', actor)).toBe(false);
    await expect(setCustomerSequence(scope, f.customerId, 'nope', actor)).rejects.toThrow(
      'there is no sequence "nope"',
    );
    expect(await setCustomerSequence(scope, f.customerId, null, actor)).toBe(true);
    expect(await sequencesOf()).toEqual(new Set(['standard']));
    expect((await kinds()).filter((k) => k === 'sequence.changed')).toHaveLength(2);
  });

  it('sets tags and the pilot flag, audited and on the timeline', async () => {
    const { f, scope, actor, kinds, audits } = await firm('Tags Co');
    expect(parseTags(' vip, Wholesale ,VIP,, net 30 ')).toEqual(['vip', 'Wholesale', 'net 30']);
    expect(() => parseTags('x'.repeat(51))).toThrow(ValidationError);
    expect(await setCustomerTags(scope, f.customerId, ['vip', 'net 30'], actor)).toBe(true);
    expect(await setCustomerPilot(scope, f.customerId, true, actor)).toBe(true);
    const [c] = await scope.select(customers, eq(customers.id, f.customerId));
    expect(c).toMatchObject({ tags: ['vip', 'net 30'], pilot: true });
    expect(await kinds()).toEqual(expect.arrayContaining(['tags.changed', 'pilot.changed']));
    expect([await audits('tags.changed'), await audits('pilot.changed')]).toEqual([1, 1]);
  });

  it('adds a note once per form, written back to the chosen invoice or the oldest open one', async () => {
    const { f, scope, actor, kinds, audits } = await firm('Note Co');
    const [older] = await scope
      .insert(invoices, {
        connectionId: f.connectionId,
        externalId: '99',
        customerId: f.customerId,
        number: 'INV-0',
        currency: 'USD',
        issueDate: '2026-09-01',
        dueDate: '2026-09-30',
        total: '10.00',
        balance: '10.00',
        status: 'open',
        platformStatus: 'Open',
      })
      .returning({ id: invoices.id });
    const k = key();
    const first = await addNote(
      t.app,
      scope,
      f.customerId,
      { text: 'Sent a copy', invoiceIds: [], requestKey: k },
      actor,
    );
    const again = await addNote(
      t.app,
      scope,
      f.customerId,
      { text: 'Sent a copy', invoiceIds: [], requestKey: k },
      actor,
    );
    expect(first).toMatchObject({ invoiceIds: [older!.id], duplicate: false });
    expect(again).toMatchObject({ activityId: first.activityId, duplicate: true });
    await addNote(
      t.app,
      scope,
      f.customerId,
      { text: 'On INV-1', invoiceIds: [f.invoiceId], requestKey: key() },
      actor,
    );
    const wb = await scope.select(writeBacks);
    expect(wb.map((w) => [w.invoiceId, (w.payload as { text: string }).text]).sort()).toEqual(
      [
        [older!.id, expect.stringMatching(/^Note by .+ \(Duely\): Sent a copy$/)],
        [f.invoiceId, expect.stringMatching(/On INV-1$/)],
      ].sort(),
    );
    expect((await kinds()).filter((x) => x === 'note')).toHaveLength(2);
    expect(await audits('customer.note_added')).toBe(2);
  });

  it("refuses a note on another customer's invoice or an empty one, and saves nothing", async () => {
    const { f, scope, actor } = await firm('Note Guard');
    const other = await seedFirm(t.app, 'Note Other');
    await expect(
      addNote(
        t.app,
        scope,
        f.customerId,
        { text: 'x', invoiceIds: [other.invoiceId], requestKey: key() },
        actor,
      ),
    ).rejects.toThrow("pick only this customer's invoices");
    await expect(
      addNote(t.app, scope, f.customerId, { text: '  ', invoiceIds: [], requestKey: key() }, actor),
    ).rejects.toThrow('write the note');
    expect(await scope.select(activities)).toEqual([]);
    expect(await scope.select(writeBacks)).toEqual([]);
  });

  it('e-mails a portal link to a contact once per form, never putting the link on the timeline', async () => {
    const { f, scope, actor, kinds } = await firm('Link Co');
    const [k] = await scope
      .insert(contacts, { customerId: f.customerId, name: 'Lee AP', email: 'lee@link.example' })
      .returning({ id: contacts.id });
    const [bounced] = await scope
      .insert(contacts, { customerId: f.customerId, email: 'old@link.example', emailStatus: 'bounced' })
      .returning({ id: contacts.id });
    const rk = key();
    const sent = await sendPortalLink(
      t.app,
      scope,
      f.customerId,
      { contactId: k!.id, requestKey: rk },
      actor,
    );
    const again = await sendPortalLink(
      t.app,
      scope,
      f.customerId,
      { contactId: k!.id, requestKey: rk },
      actor,
    );
    expect(again).toEqual({ ...sent, duplicate: true });
    const mails = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ kind: 'portal_link', toAddress: 'lee@link.example' });
    expect(mails[0]!.text).toMatch(/Hello Lee AP,[\s\S]*\/p\/[A-Za-z0-9_-]{20,}/);
    const [token] = await scope.select(portalTokens);
    expect(token).toMatchObject({ contactId: k!.id, origin: 'clerk', createdByUserId: actor.id });
    const [act] = await scope.select(activities, eq(activities.kind, 'portal.link_sent'));
    expect(JSON.stringify(act)).not.toMatch(/\/p\//);
    expect(await kinds()).toContain('portal.link_sent');
    await expect(
      sendPortalLink(t.app, scope, f.customerId, { contactId: bounced!.id, requestKey: key() }, actor),
    ).rejects.toThrow(/bounced/);
    const other = await seedFirm(t.app, 'Link Other');
    const [theirs] = await new OrgScope(t.app.db, other.id)
      .insert(contacts, { customerId: other.customerId, email: 'x@other.example' })
      .returning({ id: contacts.id });
    await expect(
      sendPortalLink(t.app, scope, f.customerId, { contactId: theirs!.id, requestKey: key() }, actor),
    ).rejects.toThrow(NotFoundError);

    expect(await revokeCustomerLinks(t.app, scope, f.customerId, actor)).toBe(1);
    const [revoked] = await scope.select(portalTokens);
    expect(revoked!.revokedAt).not.toBeNull();
    expect((await kinds())[0]).toBe('portal.links_revoked');
  });

  it('logs a call as a done call task with its outcome, once per form', async () => {
    const { f, scope, actor, kinds } = await firm('Call Co');
    const rk = key();
    const input = { outcome: 'reached', note: 'AP will pay Friday', invoiceIds: [], requestKey: rk };
    const done = await logCall(t.app, scope, f.customerId, input, actor);
    const again = await logCall(t.app, scope, f.customerId, input, actor);
    expect(again).toMatchObject({ taskId: done.taskId, duplicate: true });
    const list = await scope.select(tasks);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      kind: 'call',
      status: 'done',
      outcome: 'reached',
      outcomeNote: 'AP will pay Friday',
      invoiceIds: [f.invoiceId],
      completedByUserId: actor.id,
    });
    const ks = await kinds();
    expect(ks.filter((x) => x.startsWith('task.') || x === 'call.logged')).toEqual(['task.done']);
    expect(await scope.select(writeBacks)).toHaveLength(1);
  });

  it('logs a call with a promise: the promise is recorded; a bad amount leaves nothing behind', async () => {
    const { f, scope, actor } = await firm('Call Promise');
    await expect(
      logCall(
        t.app,
        scope,
        f.customerId,
        {
          outcome: 'promise',
          invoiceIds: [],
          promise: { amount: 'lots', promisedDate: '2026-11-10' },
          requestKey: key(),
        },
        actor,
      ),
    ).rejects.toThrow(ValidationError);
    expect(await scope.select(tasks)).toEqual([]);
    expect(await scope.select(promises)).toEqual([]);
    const out = await logCall(
      t.app,
      scope,
      f.customerId,
      {
        outcome: 'promise',
        invoiceIds: [],
        promise: { amount: '1200.00', promisedDate: '2026-11-10' },
        requestKey: key(),
      },
      actor,
    );
    const [p] = await scope.select(promises);
    expect(p).toMatchObject({
      id: out.promiseId,
      source: 'call',
      taskId: out.taskId,
      promisedDate: '2026-11-10',
    });
  });

  it('records a promise and opens a dispute from the page, each once per form', async () => {
    const { f, scope, actor, kinds } = await firm('Case Co');
    const pk = key();
    const promise = { invoiceIds: [f.invoiceId], amount: '600.00', promisedDate: '2026-11-12' };
    const p1 = await recordPromise(t.app, scope, f.customerId, promise, pk, actor);
    const p2 = await recordPromise(t.app, scope, f.customerId, promise, pk, actor);
    expect(p2).toEqual({ id: p1.id, duplicate: true });
    expect(await scope.select(promises)).toHaveLength(1);
    const dk = key();
    const dispute = {
      kind: 'dispute' as const,
      category: 'pricing',
      invoiceIds: [f.invoiceId],
      message: 'Price differs from the quote',
    };
    const d1 = await recordDispute(t.app, scope, f.customerId, dispute, dk, actor);
    await recordDispute(t.app, scope, f.customerId, dispute, dk, actor);
    const list = await scope.select(disputes);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: d1.id, source: 'clerk' });
    await answerDispute(
      t.app,
      scope,
      f.customerId,
      d1.id,
      { body: 'We are checking the quote' },
      key(),
      actor,
    );
    expect(await kinds()).toEqual(
      expect.arrayContaining(['promise.made', 'dispute.opened', 'dispute.message']),
    );
    // a dispute is answered only from its own customer's page
    const [c2] = await scope
      .insert(customers, { connectionId: f.connectionId, externalId: 'c2', name: 'Second' })
      .returning({ id: customers.id });
    await expect(answerDispute(t.app, scope, c2!.id, d1.id, { body: 'x' }, key(), actor)).rejects.toThrow(
      NotFoundError,
    );
  });
});
