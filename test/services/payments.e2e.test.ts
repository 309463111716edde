import type { Server } from 'node:http';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { createXeroConnector } from '../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../connectors/xero/emulator';
import { startStripeEmulator, type StripeEmulator } from '../../src/demo/stripeEmulator';
import { checkoutSessions, emails, invoices, payments, writeBacks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { localDateOf } from '../../src/domain/calendar';
import { formatMoney, parseMoney } from '../../src/domain/money';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { getAccessToken } from '../../src/services/connections/tokenManager';
import { createOrganization } from '../../src/services/organizations';
import { createCheckout } from '../../src/services/payments/checkout';
import { updatePaymentSettings } from '../../src/services/payments/settings';
import { planForFirm } from '../../src/services/reminders/run';
import { runSync } from '../../src/services/sync/runSync';
import { runWriteBack } from '../../src/services/writeBack/queue';
import { createTestApp, type TestApp } from '../support/app';
import { portalLink, portalVisitor } from '../support/portal';

const AS_OF = '2026-11-20';

/**
 * End to end: a customer pays in the portal, Stripe (emulated) completes the session and signs
 * the event to the listening app, Duely records the payment, stops chasing what is settled,
 * sends a receipt, and writes a linked Payment back to the books (emulated QuickBooks and Xero).
 */
describe('portal payment → Stripe → books', () => {
  let stripe: StripeEmulator;
  let qb: QuickBooksEmulator;
  let xero: XeroEmulator;
  let t: TestApp;
  let server: Server;

  beforeAll(async () => {
    stripe = await startStripeEmulator();
    qb = await startQuickBooksEmulator({
      company: { seed: 31, customers: 8, invoices: 60, asOf: AS_OF },
      clientId: 'qb-client',
      clientSecret: 'qb-secret',
    });
    xero = await startXeroEmulator({
      company: { seed: 32, customers: 8, invoices: 60, asOf: AS_OF, currency: 'USD' },
      clientId: 'x-id',
      clientSecret: 'x-secret',
      webhookKey: 'x-key',
    });
    t = await createTestApp({
      env: {
        STRIPE_SECRET_KEY: stripe.secretKey,
        STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
        STRIPE_BASE_URL: stripe.url,
      },
      connectors: [
        createQuickBooksConnector({
          clientId: 'qb-client',
          clientSecret: 'qb-secret',
          environment: 'sandbox',
          baseUrl: qb.url,
          retry: { rateLimitWaitMs: 50, baseDelayMs: 5 },
        }),
        createXeroConnector({
          clientId: 'x-id',
          clientSecret: 'x-secret',
          baseUrl: xero.url,
          retry: { baseDelayMs: 5 },
        }),
      ],
      now: () => new Date(`${AS_OF}T15:00:00Z`),
    });
    server = t.web.listen(0);
    stripe.setWebhookUrl(`http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/stripe`);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
    await Promise.all([stripe.close(), qb.close(), xero.close()]);
  });

  async function connectFirm(name: string, platform: 'quickbooks' | 'xero') {
    const org = await createOrganization(t.app.db, { name, timezone: 'America/New_York' });
    const scope = new OrgScope(t.app.db, org.id);
    const conn = await addConnectionFromRefreshToken(
      t.app,
      scope,
      platform === 'quickbooks'
        ? { platform, externalTenantId: qb.realmId, refreshToken: qb.issueRefreshToken() }
        : { platform, externalTenantId: xero.tenantId, refreshToken: xero.issueRefreshToken() },
      { type: 'system', id: 'test' },
    );
    const s = await runSync(t.app, {
      organizationId: org.id,
      connectionId: conn.id,
      mode: 'full',
      trigger: 'cli',
    });
    expect(['succeeded', 'partial']).toContain(s.status);
    return { org, scope, connectionId: conn.id };
  }

  /** A customer with at least two open USD invoices, and the first two of them. */
  async function twoOpenInvoices(orgId: string) {
    const [pick] = await t.app.db
      .select({ customerId: invoices.customerId })
      .from(invoices)
      .where(
        and(
          eq(invoices.organizationId, orgId),
          eq(invoices.status, 'open'),
          eq(invoices.currency, 'USD'),
          sql`${invoices.balance} >= 2`,
        ),
      )
      .groupBy(invoices.customerId)
      .having(sql`count(*) >= 2`)
      .orderBy(asc(invoices.customerId))
      .limit(1);
    const list = await t.app.db
      .select()
      .from(invoices)
      .where(
        and(
          eq(invoices.organizationId, orgId),
          eq(invoices.customerId, pick!.customerId),
          eq(invoices.status, 'open'),
          eq(invoices.currency, 'USD'),
          sql`${invoices.balance} >= 2`,
        ),
      )
      .orderBy(asc(invoices.dueDate), asc(invoices.id))
      .limit(2);
    return { customerId: pick!.customerId, inv1: list[0]!, inv2: list[1]! };
  }

  const half = (balance: string) =>
    formatMoney(parseMoney(balance) / 2n - ((parseMoney(balance) / 2n) % 100n), 'USD');
  const invoiceRow = async (id: string) =>
    (await t.app.db.select().from(invoices).where(eq(invoices.id, id)))[0]!;
  const plannedInvoiceIds = async (orgId: string) => {
    const plan = await planForFirm(t.app, orgId, AS_OF);
    return new Set([...plan.actions.flatMap((a) => a.invoiceIds), ...plan.skipped.map((s) => s.invoiceId)]);
  };

  it('QuickBooks: pay in the portal → payment recorded once, reminders stop, receipt once, a linked Payment in the books once', async () => {
    const { org, connectionId } = await connectFirm('Books QB Firm', 'quickbooks');
    const { customerId, inv1, inv2 } = await twoOpenInvoices(org.id);
    expect(await plannedInvoiceIds(org.id)).toContain(inv2.id);
    const paymentsInBooks = qb.counts().Payment;
    const part = half(inv1.balance);
    const full = formatMoney(parseMoney(inv2.balance), 'USD');

    // the customer chooses a part of the first invoice and all of the second
    const visitor = await portalVisitor(t.web, (await portalLink(t.app, org.id, customerId)).token);
    const posted = await visitor.post(
      '/portal/pay',
      { pay: [inv1.id, inv2.id], [`amount_${inv1.id}`]: part, [`amount_${inv2.id}`]: full },
      `/portal/pay?invoice=${inv1.id}`,
    );
    expect(posted.status).toBe(303);
    const checkoutUrl = posted.headers.location as string;
    expect(checkoutUrl.startsWith(stripe.url)).toBe(true);

    // …and pays on Stripe's page: the emulator signs checkout.session.completed to our webhook
    expect((await fetch(checkoutUrl)).status).toBe(200);
    const paid = await fetch(`${checkoutUrl}/pay`, {
      method: 'POST',
      body: new URLSearchParams({ method: 'card' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    const back = new URL(paid.headers.get('location')!);
    expect(back.pathname).toBe('/portal/pay/success');
    expect(stripe.deliveries.at(-1)).toMatchObject({ type: 'checkout.session.completed', status: 200 });
    const thanks = await visitor.get(`${back.pathname}${back.search}`);
    expect(thanks.text).toContain('Thank you for your payment');

    // recorded: one portal payment, balances lowered, the settled invoice out of the plan
    const [checkout] = await t.app.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.organizationId, org.id));
    const [payment] = await t.app.db.select().from(payments).where(eq(payments.id, checkout!.paymentId!));
    const total = formatMoney(parseMoney(part) + parseMoney(full), 'USD');
    // dated when Stripe says it was paid, in the firm's time zone
    const paidAt = new Date(stripe.events.at(-1)!.created * 1000);
    const date = localDateOf(paidAt, 'America/New_York');
    expect(payment).toMatchObject({ source: 'portal', currency: 'USD', customerId, date });
    expect(formatMoney(parseMoney(payment!.amount), 'USD')).toBe(total);
    expect(parseMoney((await invoiceRow(inv1.id)).balance)).toBe(parseMoney(inv1.balance) - parseMoney(part));
    expect(await invoiceRow(inv2.id)).toMatchObject({ status: 'paid' });
    expect(parseMoney((await invoiceRow(inv2.id)).balance)).toBe(0n);
    const planned = await plannedInvoiceIds(org.id);
    expect(planned).not.toContain(inv2.id);
    expect(planned).toContain(inv1.id);

    // the follow-ups run: receipt sent, payment and notes written back
    await t.app.queue.drain();
    const receipts = await t.app.db
      .select()
      .from(emails)
      .where(and(eq(emails.organizationId, org.id), eq(emails.kind, 'receipt')));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.status).toBe('sent');
    expect(receipts[0]!.text).toContain(
      `USD ${Number(total).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
    );
    const wbs = await t.app.db.select().from(writeBacks).where(eq(writeBacks.organizationId, org.id));
    expect(wbs.map((w) => [w.kind, w.status]).sort()).toEqual([
      ['note', 'done'],
      ['note', 'done'],
      ['payment', 'done'],
    ]);
    const wb = wbs.find((w) => w.kind === 'payment')!;
    expect(qb.counts().Payment).toBe(paymentsInBooks + 1);

    // the Payment in QuickBooks: the total, linked to both invoices with their amounts
    const token = await getAccessToken(t.app, connectionId);
    const read = await fetch(`${qb.url}/v3/company/${qb.realmId}/payment/${wb.externalId}?minorversion=75`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    const qbPayment = ((await read.json()) as { Payment: Record<string, unknown> }).Payment;
    expect(qbPayment.TotalAmt).toBe(Number(total));
    expect(qbPayment.TxnDate).toBe(date);
    const lines = (
      qbPayment.Line as { Amount: number; LinkedTxn: { TxnId: string; TxnType: string }[] }[]
    ).map((l) => [l.LinkedTxn[0]!.TxnId, l.LinkedTxn[0]!.TxnType, l.Amount]);
    expect(lines).toEqual([
      [inv1.externalId, 'Invoice', Number(part)],
      [inv2.externalId, 'Invoice', Number(full)],
    ]);
    expect(qb.invoice(inv2.externalId)!.Balance).toBe(0);
    expect(String(qb.invoice(inv2.externalId)!.PrivateNote)).toContain(
      `online by card (Stripe ${payment!.providerRef})`,
    );

    // exactly once: Stripe delivers again, the job runs again, a worker crashed after writing
    const again = await stripe.redeliver(stripe.deliveries.at(-1)!.eventId);
    expect(again).toMatchObject({ status: 200 });
    expect(JSON.parse(again!.body)).toMatchObject({ outcome: 'duplicate' });
    expect(await runWriteBack(t.app, wb.id)).toEqual({ outcome: 'already_done' });
    await t.app.db.update(writeBacks).set({ status: 'pending' }).where(eq(writeBacks.id, wb.id));
    expect((await runWriteBack(t.app, wb.id)).outcome).toBe('done');
    await t.app.queue.drain();
    expect(qb.counts().Payment).toBe(paymentsInBooks + 1);
    const receiptCount = await t.app.db
      .select({ n: count() })
      .from(emails)
      .where(and(eq(emails.organizationId, org.id), eq(emails.kind, 'receipt')));
    expect(receiptCount[0]!.n).toBe(1);
    const portalPayments = await t.app.db
      .select({ n: count() })
      .from(payments)
      .where(and(eq(payments.organizationId, org.id), eq(payments.source, 'portal')));
    expect(portalPayments[0]!.n).toBe(1);

    // the next sync confirms from the books: the same payment row, not a second one
    const [linked] = await t.app.db.select().from(payments).where(eq(payments.id, payment!.id));
    expect(linked!.externalId).toBe(wb.externalId);
    const before = await t.app.db
      .select({ n: count() })
      .from(payments)
      .where(eq(payments.organizationId, org.id));
    await runSync(t.app, { organizationId: org.id, connectionId, mode: 'incremental', trigger: 'cli' });
    const after = await t.app.db
      .select({ n: count() })
      .from(payments)
      .where(eq(payments.organizationId, org.id));
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(await invoiceRow(inv2.id)).toMatchObject({ status: 'paid' });
  });

  it('Xero: PUT /Payments with the firm’s bank account, held until the firm chooses one, then written once', async () => {
    const { org, scope } = await connectFirm('Books Xero Firm', 'xero');
    const { customerId, inv1, inv2 } = await twoOpenInvoices(org.id);
    const books = xero.books();
    const paymentsBefore = books.payments.length;
    const part = half(inv1.balance);
    const full = formatMoney(parseMoney(inv2.balance), 'USD');
    const { checkoutId } = await createCheckout(t.app, scope, {
      customerId,
      allocations: [
        { invoiceId: inv1.id, amount: part },
        { invoiceId: inv2.id, amount: full },
      ],
      successUrl: 'http://localhost/portal/pay/success?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'http://localhost/portal/pay/cancelled',
    });
    const [checkout] = await t.app.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, checkoutId));
    expect((await stripe.complete(checkout!.providerSessionId))?.status).toBe(200);
    await t.app.queue.drain();

    // no bank account chosen: the write-back stops with a reason the firm can act on
    const [held] = await t.app.db
      .select()
      .from(writeBacks)
      .where(and(eq(writeBacks.organizationId, org.id), eq(writeBacks.kind, 'payment')));
    expect(held).toMatchObject({ status: 'failed' });
    expect(held!.lastError).toMatch(/bank account/);
    expect(books.payments.length).toBe(paymentsBefore);

    // the firm chooses the account: the held payment goes out
    const saved = await updatePaymentSettings(
      t.app,
      scope,
      { xeroAccountCode: '090' },
      { type: 'system', id: null },
    );
    expect(saved.released).toBe(1);
    await t.app.queue.drain();
    const [done] = await t.app.db.select().from(writeBacks).where(eq(writeBacks.id, held!.id));
    expect(done).toMatchObject({ status: 'done' });
    const created = books.payments.slice(paymentsBefore);
    expect(created.map((p) => [p.invoiceId, formatMoney(p.amount, 'USD'), p.accountCode])).toEqual([
      [inv1.externalId, part, '090'],
      [inv2.externalId, full, '090'],
    ]);
    expect(done!.externalId!.split(',')).toEqual(created.map((p) => p.id));
    expect(books.invoiceById.get(inv2.externalId)!.status).toBe('PAID');

    // a retried job (the response was lost) is answered from Xero's idempotency keys
    await t.app.db.update(writeBacks).set({ status: 'pending' }).where(eq(writeBacks.id, held!.id));
    expect((await runWriteBack(t.app, held!.id)).outcome).toBe('done');
    expect(books.payments.length).toBe(paymentsBefore + 2);

    // a bad account code is refused with the field named, nothing saved
    await expect(
      updatePaymentSettings(t.app, scope, { xeroAccountCode: 'not a code!' }, { type: 'system', id: null }),
    ).rejects.toMatchObject({ status: 400, field: 'xeroAccountCode' });
  });
});
