import { and, count, eq } from 'drizzle-orm';
import request from 'supertest';
import Stripe from 'stripe';
import { startStripeEmulator, type EmulatedEvent, type StripeEmulator } from '../../src/demo/stripeEmulator';
import {
  activities,
  checkoutSessions,
  connections,
  emails,
  invoices,
  paymentAllocations,
  payments,
  webhookEvents,
  writeBacks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createCheckout } from '../../src/services/payments/checkout';
import { createWebApp } from '../../src/web/app';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

describe('POST /webhooks/stripe', () => {
  let emu: StripeEmulator;
  let t: TestApp;
  let firm: Firm;

  beforeAll(async () => {
    emu = await startStripeEmulator();
    t = await createTestApp({
      env: {
        STRIPE_SECRET_KEY: emu.secretKey,
        STRIPE_WEBHOOK_SECRET: emu.webhookSecret,
        STRIPE_BASE_URL: emu.url,
      },
    });
    firm = await seedFirm(t.app, 'Webhook Firm');
    // the books are out of reach here: write-backs are held, their rows are what we check
    await t.app.db
      .update(connections)
      .set({ status: 'needs_reconnect' })
      .where(eq(connections.id, firm.connectionId));
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  const scope = () => new OrgScope(t.app.db, firm.id);

  async function openCheckout(amount: string, attemptId: string) {
    const c = await createCheckout(t.app, scope(), {
      customerId: firm.customerId,
      allocations: [{ invoiceId: firm.invoiceId, amount }],
      successUrl: 'http://localhost/portal/pay/success?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'http://localhost/portal/pay/cancelled',
      attemptId,
    });
    const [row] = await t.app.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, c.checkoutId));
    return row!;
  }

  const post = (event: EmulatedEvent, secret?: string) => {
    const { payload, header } = emu.sign(event, secret);
    return request(t.web)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', header)
      .send(payload);
  };
  const lastEvent = () => emu.events[emu.events.length - 1]!;
  const paymentsOf = async (providerSessionId: string) => {
    const [row] = await t.app.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.providerSessionId, providerSessionId));
    return row;
  };
  const balance = async () =>
    (await t.app.db.select().from(invoices).where(eq(invoices.id, firm.invoiceId)))[0]!;
  const portalPayments = async () =>
    t.app.db
      .select()
      .from(payments)
      .where(and(eq(payments.organizationId, firm.id), eq(payments.source, 'portal')));

  it('records a paid session once, even when Stripe delivers the event twice', async () => {
    const checkout = await openCheckout('200.00', 'attempt-twice-1');
    await emu.complete(checkout.providerSessionId);
    const event = lastEvent();
    const first = await post(event);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, outcome: 'recorded' });
    const again = await post(event);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate');

    const list = await portalPayments();
    expect(list).toHaveLength(1);
    const p = list[0]!;
    expect(p).toMatchObject({
      amount: '200.0000',
      currency: 'USD',
      method: 'card',
      source: 'portal',
      providerRef: event.data.object.payment_intent,
      customerId: firm.customerId,
    });
    const allocs = await t.app.db
      .select()
      .from(paymentAllocations)
      .where(eq(paymentAllocations.paymentId, p.id));
    expect(allocs).toEqual([
      expect.objectContaining({ invoiceId: firm.invoiceId, invoiceExternalId: '100' }),
    ]);
    expect(Number((await balance()).balance)).toBe(1000);
    expect((await balance()).status).toBe('open');
    expect(await paymentsOf(checkout.providerSessionId)).toMatchObject({ status: 'paid', paymentId: p.id });

    const receipts = await t.app.db.select().from(emails).where(eq(emails.kind, 'receipt'));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.toAddress).toBe(`ap@${firm.slug}.example`);
    expect(receipts[0]!.subject).toBe('Payment received: USD 200.00 — thank you');
    expect(receipts[0]!.text).toContain('Invoice INV-1: paid USD 200.00, balance now USD 1,000.00');

    const wbs = await t.app.db.select().from(writeBacks).where(eq(writeBacks.organizationId, firm.id));
    expect(wbs.map((w) => w.kind).sort()).toEqual(['note', 'payment']);
    const payment = wbs.find((w) => w.kind === 'payment')!;
    expect(payment.payload).toMatchObject({
      customerExternalId: '1',
      amount: '200.00',
      currency: 'USD',
      allocations: [{ invoiceExternalId: '100', amount: '200.00' }],
      reference: p.providerRef,
    });
    const note = wbs.find((w) => w.kind === 'note')!;
    expect((note.payload as { text: string }).text).toBe(
      `Paid USD 200.00 online by card (Stripe ${p.providerRef}).`,
    );
    const timeline = await t.app.db
      .select()
      .from(activities)
      .where(and(eq(activities.customerId, firm.customerId), eq(activities.kind, 'payment.received')));
    expect(timeline).toHaveLength(1);
    expect(timeline[0]!.body).toContain('Paid USD 200.00 online by card');
  });

  it('records one payment when two different events arrive for the same session', async () => {
    const before = (await portalPayments()).length;
    const checkout = await openCheckout('50.00', 'attempt-two-events');
    await emu.complete(checkout.providerSessionId);
    const completed = lastEvent();
    // the same session reported again under another event id (e.g. async success after completion)
    const second: EmulatedEvent = {
      ...completed,
      id: `${completed.id}x`,
      type: 'checkout.session.async_payment_succeeded',
    };
    const [a, b] = await Promise.all([post(completed), post(second)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.outcome, b.body.outcome].sort()).toEqual(['duplicate', 'recorded']);
    expect((await portalPayments()).length).toBe(before + 1);
    expect(Number((await balance()).balance)).toBe(950);
  });

  it('refuses a bad or missing signature with 400 and records nothing', async () => {
    const checkout = await openCheckout('10.00', 'attempt-bad-sig');
    await emu.complete(checkout.providerSessionId);
    const event = lastEvent();
    const before = (await portalPayments()).length;

    const wrongSecret = await post(event, 'whsec_not_the_endpoint_secret');
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.body).toEqual({ error: { code: 'bad_signature', message: expect.any(String) } });

    const { payload, header } = emu.sign(event);
    const tampered = await request(t.web)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', header)
      .send(payload.replace('"amount_total": 1000', '"amount_total": 1'));
    expect(tampered.status).toBe(400);

    const missing = await request(t.web)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .send(payload);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('bad_signature');

    const stale = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: emu.webhookSecret,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const replay = await request(t.web)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', stale)
      .send(payload);
    expect(replay.status).toBe(400);

    expect((await portalPayments()).length).toBe(before);
    const seen = await t.app.db
      .select({ n: count() })
      .from(webhookEvents)
      .where(eq(webhookEvents.eventId, event.id));
    expect(seen[0]!.n).toBe(0);
    expect((await paymentsOf(checkout.providerSessionId))!.status).toBe('open');
  });

  it('a bank debit is processing at completion and recorded only when it clears', async () => {
    const before = (await portalPayments()).length;
    const checkout = await openCheckout('25.00', 'attempt-ach-ok');
    await emu.complete(checkout.providerSessionId, 'us_bank_account');
    const processing = await post(lastEvent());
    expect(processing.body.outcome).toBe('processing');
    expect((await portalPayments()).length).toBe(before);
    expect((await paymentsOf(checkout.providerSessionId))!.status).toBe('open');

    await emu.settle(checkout.providerSessionId, 'succeeded');
    const cleared = await post(lastEvent());
    expect(cleared.body.outcome).toBe('recorded');
    expect((await portalPayments()).length).toBe(before + 1);
    const latest = await paymentsOf(checkout.providerSessionId);
    const [p] = await t.app.db.select().from(payments).where(eq(payments.id, latest!.paymentId!));
    expect(p).toMatchObject({ method: 'us_bank_account', amount: '25.0000' });
  });

  it('a failed bank debit or an expired session closes the checkout and records nothing', async () => {
    const before = (await portalPayments()).length;
    const balanceBefore = (await balance()).balance;
    const failing = await openCheckout('30.00', 'attempt-ach-fail');
    await emu.complete(failing.providerSessionId, 'us_bank_account');
    await post(lastEvent());
    await emu.settle(failing.providerSessionId, 'failed');
    const failed = await post(lastEvent());
    expect(failed.body.outcome).toBe('failed');
    expect((await paymentsOf(failing.providerSessionId))!.status).toBe('failed');

    const expiring = await openCheckout('40.00', 'attempt-expire');
    await emu.expire(expiring.providerSessionId);
    const expired = await post(lastEvent());
    expect(expired.body.outcome).toBe('expired');
    expect((await paymentsOf(expiring.providerSessionId))!.status).toBe('expired');

    expect((await portalPayments()).length).toBe(before);
    expect((await balance()).balance).toBe(balanceBefore);
  });

  it('ignores events of sessions it did not open (200, nothing recorded) and unrelated event types', async () => {
    const foreign: EmulatedEvent = {
      ...lastEvent(),
      id: 'evt_test_foreign',
      type: 'checkout.session.completed',
      data: { object: { ...lastEvent().data.object, id: 'cs_test_not_ours', payment_status: 'paid' } },
    };
    const res = await post(foreign);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('ignored');
    const other = await post({ ...lastEvent(), id: 'evt_test_other', type: 'customer.created' });
    expect(other.body.outcome).toBe('ignored');
  });

  it('answers 500 when recording fails after verification, so Stripe retries; nothing half-recorded', async () => {
    const checkout = await openCheckout('15.00', 'attempt-broken');
    // the invoice the checkout pays disappears before the event lands (a broken row)
    await t.app.db
      .update(checkoutSessions)
      .set({ allocations: [{ invoiceId: '00000000-0000-4000-8000-000000000000', amount: '15.00' }] })
      .where(eq(checkoutSessions.id, checkout.id));
    await emu.complete(checkout.providerSessionId);
    const event = lastEvent();
    const before = (await portalPayments()).length;
    const res = await post(event);
    expect(res.status).toBe(500);
    expect((await portalPayments()).length).toBe(before);
    expect((await paymentsOf(checkout.providerSessionId))!.status).toBe('open');
    const seen = await t.app.db
      .select({ n: count() })
      .from(webhookEvents)
      .where(eq(webhookEvents.eventId, event.id));
    expect(seen[0]!.n).toBe(0);
  });

  it('is 404 where Stripe is not configured', async () => {
    const config = {
      ...t.app.config,
      STRIPE_SECRET_KEY: undefined,
      STRIPE_WEBHOOK_SECRET: undefined,
      stripeConfigured: false,
    };
    const web = createWebApp({ ...t.app, config });
    const payload = JSON.stringify(lastEvent());
    const res = await request(web)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set(
        'stripe-signature',
        Stripe.webhooks.generateTestHeaderString({ payload, secret: emu.webhookSecret }),
      )
      .send(payload);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
