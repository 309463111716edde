import { eq } from 'drizzle-orm';
import { promiseInvoices, promises } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { ValidationError } from '../../src/services/errors';
import {
  createPromise,
  evaluatePromises,
  getPromise,
  listPromises,
  promiseKeptRate,
  PROMISES_EVALUATE_JOB,
} from '../../src/services/promises';
import { createTestApp, type TestApp } from '../support/app';
import {
  addContact,
  addInvoice,
  movableClock,
  setBalance,
  setSettings,
  sideEffects,
  skipReasons,
} from '../support/cases';
import { seedFirm, type Firm } from '../support/tenancy';

const CLERK = { type: 'user' as const, id: null };
const PORTAL = { actor: { type: 'customer' as const, id: null }, source: 'portal' as const };

describe('promises to pay', () => {
  const clock = movableClock('2026-11-20T15:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: clock.now });
  });
  afterAll(() => t.close());
  beforeEach(() => clock.set('2026-11-20T15:00:00Z'));

  /** A firm whose customer owes INV-1 (1,200.00) and INV-2 (300.00). */
  async function firm(name: string): Promise<Firm & { inv2: string; scope: OrgScope }> {
    const f = await seedFirm(t.app, name);
    const inv2 = await addInvoice(t.app, f, { number: 'INV-2', balance: '300.00', dueDate: '2026-11-10' });
    return { ...f, inv2, scope: new OrgScope(t.app.db, f.id) };
  }
  const promise = (f: Firm & { inv2: string }, over: Record<string, unknown> = {}) => ({
    customerId: f.customerId,
    invoiceIds: [f.invoiceId, f.inv2],
    amount: '500.00',
    promisedDate: '2026-11-25',
    ...over,
  });

  describe('recording', () => {
    it('refuses bad input with the field and a clear message, and writes nothing', async () => {
      const f = await firm('Bad Promises');
      const other = await seedFirm(t.app, 'Other Firm');
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ invoiceIds: [] }, 'invoiceIds', /choose at least one invoice/],
        [{ invoiceIds: [other.invoiceId] }, 'invoiceIds', /not found/],
        [{ invoiceIds: ['not-an-id'] }, 'invoiceIds', /not found/],
        [{ amount: '1500.01' }, 'amount', /more than the open balance .*USD 1500\.00/],
        [{ amount: '0' }, 'amount', /more than zero/],
        [{ amount: 'lots' }, 'amount', /such as 250\.00/],
        [{ promisedDate: '2026-11-19' }, 'promisedDate', /in the past/],
        [{ promisedDate: '2026-12-21' }, 'promisedDate', /no later than 2026-12-20/],
        [{ promisedDate: '2026-13-01' }, 'promisedDate', /YYYY-MM-DD/],
      ];
      for (const [over, field, message] of cases) {
        const err = await createPromise(t.app, f.scope, promise(f, over), PORTAL).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect({ field: (err as ValidationError).field, message: (err as Error).message }).toEqual({
          field,
          message: expect.stringMatching(message),
        });
      }
      expect(await f.scope.select(promises)).toEqual([]);
      const fx = await sideEffects(t.app, f);
      expect([fx.emails, fx.notes, fx.audit]).toEqual([[], [], []]);
    });

    it('records the promise, its invoices with their balances, the audit, one note per invoice and the confirmation', async () => {
      const f = await firm('Good Promise');
      await addContact(t.app, f, 'dana@customer.example');
      const p = await createPromise(t.app, f.scope, promise(f), PORTAL);
      expect(p).toMatchObject({
        status: 'active',
        currency: 'USD',
        promisedDate: '2026-11-25',
        graceDays: 3,
      });
      const links = await t.app.db.select().from(promiseInvoices).where(eq(promiseInvoices.promiseId, p.id));
      expect(links.map((l) => [l.invoiceId, Number(l.balanceAtPromise)]).sort()).toEqual(
        [
          [f.invoiceId, 1200],
          [f.inv2, 300],
        ].sort(),
      );
      const fx = await sideEffects(t.app, f);
      expect(fx.audit.map((a) => a.action)).toEqual(['promise.created']);
      expect(fx.notes.map((n) => [n.idempotencyKey, (n.payload as { text: string }).text]).sort()).toEqual(
        [
          [`promise:${p.id}:${f.invoiceId}:made`, 'Duely: promise to pay USD 500.00 by 2026-11-25 (portal).'],
          [`promise:${p.id}:${f.inv2}:made`, 'Duely: promise to pay USD 500.00 by 2026-11-25 (portal).'],
        ].sort(),
      );
      expect(fx.emails).toHaveLength(1);
      expect(fx.emails[0]).toMatchObject({
        kind: 'promise.confirmation',
        toAddress: 'dana@customer.example',
      });
      expect(fx.emails[0]!.subject).toBe('Thank you — payment of USD 500.00 noted for November 25, 2026');
      expect(fx.emails[0]!.text).toMatch(/Hello Dana Lee/);
      expect(fx.emails[0]!.text).toMatch(/\/p\/[A-Za-z0-9_-]{20,}/);
    });

    it('the same promise sent twice is recorded once; a new promise on an invoice replaces the old one', async () => {
      const f = await firm('Twice');
      const [a, b] = await Promise.all([
        createPromise(t.app, f.scope, promise(f), PORTAL),
        createPromise(t.app, f.scope, promise(f), PORTAL),
      ]);
      expect(a.id).toBe(b.id);
      expect((await sideEffects(t.app, f)).emails).toHaveLength(1);
      const c = await createPromise(t.app, f.scope, promise(f, { promisedDate: '2026-12-01' }), PORTAL);
      expect((await getPromise(f.scope, a.id)).status).toBe('cancelled');
      expect((await getPromise(f.scope, c.id)).status).toBe('active');
    });

    it('pauses reminders of its invoices with the planner reason "promised" until date + grace', async () => {
      const f = await firm('Planner Promise');
      await createPromise(t.app, f.scope, promise(f, { invoiceIds: [f.invoiceId] }), PORTAL);
      expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-28')).toContain('promised');
      expect(await skipReasons(t.app, f, f.inv2, '2026-11-28')).not.toContain('promised');
    });
  });

  describe('settling', () => {
    it('kept: paid in full before the date → kept at once, noted, sequence free, nothing twice', async () => {
      const f = await firm('Kept');
      const p = await createPromise(t.app, f.scope, promise(f), PORTAL);
      await setBalance(t.app, f, f.invoiceId, '700.00');
      const s = await evaluatePromises(t.app, f.scope);
      expect(s).toMatchObject({ evaluated: 1, kept: 1 });
      const after = await getPromise(f.scope, p.id);
      expect(after).toMatchObject({ status: 'kept', amountPaid: '500.00', resolvedAt: expect.any(String) });
      const again = await evaluatePromises(t.app, f.scope);
      expect(again).toMatchObject({ evaluated: 0, kept: 0 });
      const fx = await sideEffects(t.app, f);
      const kept = fx.notes.filter((n) => n.idempotencyKey.endsWith(':kept'));
      expect(kept.map((n) => (n.payload as { text: string }).text)).toEqual([
        'Duely: promise of USD 500.00 by 2026-11-25 kept.',
        'Duely: promise of USD 500.00 by 2026-11-25 kept.',
      ]);
      expect(fx.tasks).toEqual([]);
      expect(await skipReasons(t.app, f, f.inv2, '2026-11-22')).not.toContain('promised');
    });

    it('partly kept: part paid, active through the last day of grace, then partly kept; the rest resumes', async () => {
      const f = await firm('Partly');
      const p = await createPromise(t.app, f.scope, promise(f), PORTAL);
      await setBalance(t.app, f, f.inv2, '100.00'); // 200 of 500 paid
      expect(await evaluatePromises(t.app, f.scope, { today: '2026-11-28' })).toMatchObject({
        evaluated: 1,
        partiallyKept: 0,
      });
      expect((await getPromise(f.scope, p.id)).status).toBe('active');
      expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-28')).toContain('promised');

      clock.set('2026-11-29T15:00:00Z');
      expect(await evaluatePromises(t.app, f.scope)).toMatchObject({ partiallyKept: 1 });
      expect(await getPromise(f.scope, p.id)).toMatchObject({
        status: 'partially_kept',
        amountPaid: '200.00',
      });
      const fx = await sideEffects(t.app, f);
      expect(
        fx.notes
          .filter((n) => n.idempotencyKey.endsWith(':partially_kept'))
          .map((n) => (n.payload as { text: string }).text),
      ).toEqual([
        'Duely: promise of USD 500.00 by 2026-11-25 partly kept (USD 200.00 paid); reminders resume.',
        'Duely: promise of USD 500.00 by 2026-11-25 partly kept (USD 200.00 paid); reminders resume.',
      ]);
      expect(fx.tasks).toEqual([]);
      expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-29')).not.toContain('promised');
    });

    it('broken with the call follow-up: one call task due today with talking points, once', async () => {
      const f = await firm('Broken Call');
      const p = await createPromise(t.app, f.scope, promise(f), PORTAL);
      clock.set('2026-11-29T15:00:00Z');
      const [a, b] = await Promise.all([evaluatePromises(t.app, f.scope), evaluatePromises(t.app, f.scope)]);
      expect(a.broken + b.broken).toBe(1);
      expect(await getPromise(f.scope, p.id)).toMatchObject({ status: 'broken', amountPaid: '0.00' });
      const fx = await sideEffects(t.app, f);
      expect(fx.tasks).toHaveLength(1);
      expect(fx.tasks[0]).toMatchObject({
        kind: 'call',
        dueDate: '2026-11-29',
        idempotencyKey: `promise-broken-${p.id}`,
        title: 'Call about a broken promise to pay',
      });
      expect(fx.tasks[0]!.talkingPoints.join('\n')).toMatch(/Promised USD 500\.00 by 2026-11-25 \(portal/);
      expect(fx.tasks[0]!.talkingPoints.join('\n')).toMatch(/Owed: invoice #INV-1, USD 1,200\.00/);
      expect(fx.notes.filter((n) => n.idempotencyKey.endsWith(':broken'))).toHaveLength(2);
      expect(fx.emails.filter((e) => e.kind === 'promise.broken')).toEqual([]);
      await evaluatePromises(t.app, f.scope);
      expect((await sideEffects(t.app, f)).tasks).toHaveLength(1);
      expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-29')).not.toContain('promised');
    });

    it('broken with the e-mail follow-up: the "you promised" e-mail once, no task', async () => {
      const f = await firm('Broken Mail');
      await setSettings(t.app, f, { promises: { brokenFollowUp: 'email', graceDays: 1 } });
      const p = await createPromise(t.app, f.scope, promise(f), PORTAL);
      clock.set('2026-11-26T23:59:00Z');
      expect(await evaluatePromises(t.app, f.scope)).toMatchObject({ broken: 0 }); // last day of grace
      clock.set('2026-11-27T00:00:00Z');
      expect(await evaluatePromises(t.app, f.scope)).toMatchObject({ broken: 1 });
      await evaluatePromises(t.app, f.scope);
      const fx = await sideEffects(t.app, f);
      const mails = fx.emails.filter((e) => e.kind === 'promise.broken');
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toMatch(/Payment expected on November 25, 2026 not yet received/);
      expect(fx.tasks).toEqual([]);
      expect((await getPromise(f.scope, p.id)).status).toBe('broken');
    });

    it('the evaluate job settles a firm (as after a sync)', async () => {
      const f = await firm('Job Firm');
      const p = await createPromise(t.app, f.scope, promise(f), PORTAL);
      await setBalance(t.app, f, f.invoiceId, '0');
      await t.app.queue.enqueue(PROMISES_EVALUATE_JOB, { organizationId: f.id }, { jobId: `test-${f.id}` });
      await t.app.queue.drain(20_000);
      expect((await getPromise(f.scope, p.id)).status).toBe('kept');
    });
  });

  describe('reading', () => {
    it('lists in pages, filters by customer and status, and never shows another firm', async () => {
      const f = await firm('Lister');
      const g = await firm('Lister Other');
      const p1 = await createPromise(t.app, f.scope, promise(f, { invoiceIds: [f.invoiceId] }), PORTAL);
      const p2 = await createPromise(t.app, f.scope, promise(f, { invoiceIds: [f.inv2], amount: '300' }), {
        actor: CLERK,
        source: 'clerk',
      });
      await createPromise(t.app, g.scope, promise(g), PORTAL);
      const first = await listPromises(f.scope, { limit: 1 });
      expect(first.data).toHaveLength(1);
      const second = await listPromises(f.scope, { limit: 1, cursor: first.nextCursor! });
      expect([...first.data, ...second.data].map((p) => p.id).sort()).toEqual([p1.id, p2.id].sort());
      expect(second.nextCursor).toBeNull();
      expect((await listPromises(f.scope, { status: 'kept' })).data).toEqual([]);
      expect((await listPromises(f.scope, { customerId: g.customerId })).data).toEqual([]);
      expect(second.data[0]!.amount).toMatch(/^\d+\.\d{2}$/);
    });

    it('kept rate: kept 1, partly kept by its paid share, broken 0; active and cancelled not counted', async () => {
      const f = await firm('Rate');
      const inv3 = await addInvoice(t.app, f, { number: 'INV-3', balance: '400.00' });
      await createPromise(t.app, f.scope, promise(f, { invoiceIds: [f.invoiceId], amount: '1000' }), PORTAL);
      await createPromise(t.app, f.scope, promise(f, { invoiceIds: [f.inv2], amount: '300' }), PORTAL);
      await createPromise(t.app, f.scope, promise(f, { invoiceIds: [inv3], amount: '400' }), PORTAL);
      expect(await promiseKeptRate(f.scope)).toEqual({
        rate: null,
        settled: 0,
        kept: 0,
        partiallyKept: 0,
        broken: 0,
      });
      await setBalance(t.app, f, f.invoiceId, '200.00'); // 1000 paid: kept
      await setBalance(t.app, f, f.inv2, '150.00'); // 150 of 300: half
      clock.set('2026-12-01T12:00:00Z');
      await evaluatePromises(t.app, f.scope);
      expect(await promiseKeptRate(f.scope)).toEqual({
        rate: 50,
        settled: 3,
        kept: 1,
        partiallyKept: 1,
        broken: 1,
      });
      expect(await promiseKeptRate(f.scope, { customerId: f.customerId, from: '2026-11-26' })).toMatchObject({
        rate: null,
      });
      await expect(promiseKeptRate(f.scope, { from: 'yesterday' })).rejects.toThrow(ValidationError);
    });
  });
});
