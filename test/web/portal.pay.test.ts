import { eq } from 'drizzle-orm';
import request from 'supertest';
import { startStripeEmulator, type StripeEmulator } from '../../src/demo/stripeEmulator';
import { checkoutSessions, connections, contacts, customers, invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createWebApp } from '../../src/web/app';
import { PAY_ATTEMPTS_PER_10_MINUTES } from '../../src/web/routes/portal/pay';
import { createTestApp, type TestApp } from '../support/app';
import { csrfFrom } from '../support/http';
import { portalLink, portalVisitor } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

describe('portal: pay online with Stripe Checkout', () => {
  let emu: StripeEmulator;
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  let ids: { inv2: string; eur: string; neighbourInvoice: string; contactId: string };
  let visitor: Awaited<ReturnType<typeof portalVisitor>>;

  beforeAll(async () => {
    emu = await startStripeEmulator();
    t = await createTestApp({
      env: {
        STRIPE_SECRET_KEY: emu.secretKey,
        STRIPE_WEBHOOK_SECRET: emu.webhookSecret,
        STRIPE_BASE_URL: emu.url,
        BASE_URL: 'http://ar.example.com',
      },
      now: () => new Date('2026-11-20T12:00:00Z'),
    });
    a = await seedFirm(t.app, 'Pay Alpha'); // INV-1 USD 1200.00
    b = await seedFirm(t.app, 'Pay Beta');
    for (const f of [a, b])
      await t.app.db
        .update(connections)
        .set({ status: 'needs_reconnect' })
        .where(eq(connections.id, f.connectionId));
    const scope = new OrgScope(t.app.db, a.id);
    const base = {
      connectionId: a.connectionId,
      customerId: a.customerId,
      platformStatus: 'Open',
      status: 'open' as const,
    };
    const [inv2, eur] = await scope
      .insert(invoices, [
        {
          ...base,
          externalId: '101',
          number: 'INV-2',
          currency: 'USD',
          issueDate: '2026-11-01',
          dueDate: '2026-12-01',
          total: '300.50',
          balance: '300.50',
        },
        {
          ...base,
          externalId: '102',
          number: 'INV-3',
          currency: 'EUR',
          issueDate: '2026-11-01',
          dueDate: '2026-12-01',
          total: '80',
          balance: '80',
        },
      ])
      .returning({ id: invoices.id });
    const [neighbour] = await scope
      .insert(customers, { connectionId: a.connectionId, externalId: '2', name: 'Neighbour Ltd' })
      .returning({ id: customers.id });
    const [nInv] = await scope
      .insert(invoices, {
        ...base,
        customerId: neighbour!.id,
        externalId: '200',
        number: 'N-1',
        currency: 'USD',
        issueDate: '2026-11-01',
        dueDate: '2026-12-01',
        total: '99',
        balance: '99',
      })
      .returning({ id: invoices.id });
    const [contact] = await scope
      .insert(contacts, {
        customerId: a.customerId,
        name: 'Pat Payer',
        email: 'pat@alpha-customer.example',
        isPrimary: true,
      })
      .returning({ id: contacts.id });
    ids = { inv2: inv2!.id, eur: eur!.id, neighbourInvoice: nInv!.id, contactId: contact!.id };
    visitor = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId, contact!.id)).token);
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  const checkoutRows = () =>
    t.app.db.select().from(checkoutSessions).where(eq(checkoutSessions.organizationId, a.id));
  const pay = (form: Record<string, string | string[]>) => visitor.post('/portal/pay', form, '/portal/pay');

  it('lists the open invoices with editable amounts, one preselected with ?invoice=', async () => {
    const page = await visitor.get('/portal/pay');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Invoice INV-1');
    expect(page.text).toContain('Invoice INV-2');
    expect(page.text).toContain('Invoice INV-3');
    expect(page.text).not.toContain('N-1');
    expect(page.text).toMatch(new RegExp(`name="amount_${a.invoiceId}" value="1200.00"`));
    expect(page.text).toMatch(new RegExp(`name="amount_${ids.eur}" value="80.00"`));
    // without ?invoice=, everything in the first currency is chosen
    expect(page.text).toMatch(new RegExp(`value="${a.invoiceId}" data-currency="USD"[^>]*checked`));
    expect(page.text).not.toMatch(new RegExp(`value="${ids.eur}"[^>]*checked`));

    const one = await visitor.get(`/portal/pay?invoice=${ids.inv2}`);
    expect(one.text).toMatch(new RegExp(`value="${ids.inv2}"[^>]*checked`));
    expect(one.text).not.toMatch(new RegExp(`value="${a.invoiceId}"[^>]*checked`));
    expect(one.text).toContain('<script src="/assets/portal-pay.js" defer></script>');
  });

  it.each([
    [
      'more than the balance',
      () => ({ pay: [ids.inv2], [`amount_${ids.inv2}`]: '300.51' }),
      /The amount for invoice INV-2 is more than its balance of USD 300.50\./,
    ],
    ['nothing chosen', () => ({}), /Choose an invoice to pay\./],
    ['not an amount', () => ({ pay: [ids.inv2], [`amount_${ids.inv2}`]: 'all of it' }), /as a number/],
    [
      'mixed currencies',
      () => ({ pay: [a.invoiceId, ids.eur], [`amount_${a.invoiceId}`]: '10', [`amount_${ids.eur}`]: '10' }),
      /one currency at a time \(USD and EUR chosen\)/,
    ],
    [
      "another customer's invoice",
      () => ({ pay: [ids.neighbourInvoice], [`amount_${ids.neighbourInvoice}`]: '99' }),
      /No such open invoice\./,
    ],
    [
      "another firm's invoice",
      () => ({ pay: [b.invoiceId], [`amount_${b.invoiceId}`]: '100' }),
      /No such open invoice\./,
    ],
  ])(
    'refuses %s: 400 with the message, the typed values kept, nothing created',
    async (_name, form, message) => {
      const sessionsBefore = emu.sessions().length;
      const res = await pay(form());
      expect(res.status).toBe(400);
      expect(res.text).toMatch(message);
      expect(res.text).toContain('role="alert"');
      // what the customer typed for their own invoices is shown again, still chosen
      for (const [key, value] of Object.entries(form())) {
        const id = key.replace(/^amount_/, '');
        if (key.startsWith('amount_') && [a.invoiceId, ids.inv2, ids.eur].includes(id)) {
          expect(res.text).toContain(`name="${key}" value="${value as string}"`);
          expect(res.text).toMatch(new RegExp(`value="${id}"[^>]*checked`));
        }
      }
      expect(emu.sessions().length).toBe(sessionsBefore);
      expect(await checkoutRows()).toHaveLength(0);
    },
  );

  it('opens a Stripe Checkout session for several invoices and partial amounts (303 to Stripe)', async () => {
    const page = await visitor.get('/portal/pay');
    const attempt = /name="attempt" value="([0-9a-f]{32})"/.exec(page.text)![1]!;
    const res = await visitor.agent
      .post('/portal/pay')
      .set('X-Forwarded-For', visitor.ip)
      .type('form')
      .send(
        new URLSearchParams([
          ['_csrf', csrfFrom(page.text)],
          ['attempt', attempt],
          ['pay', a.invoiceId],
          ['pay', ids.inv2],
          [`amount_${a.invoiceId}`, '1,000.00'],
          [`amount_${ids.inv2}`, '300.50'],
        ]).toString(),
      );
    expect(res.status).toBe(303);
    const [row] = await checkoutRows();
    expect(row).toMatchObject({
      customerId: a.customerId,
      status: 'open',
      amount: '1300.5000',
      currency: 'USD',
      allocations: [
        { invoiceId: a.invoiceId, amount: '1000.00' },
        { invoiceId: ids.inv2, amount: '300.50' },
      ],
    });
    const session = emu.session(row!.providerSessionId)!;
    expect(res.headers.location).toBe(session.url);
    expect(session).toMatchObject({
      amount_total: 130050,
      currency: 'usd',
      mode: 'payment',
      client_reference_id: row!.id,
      metadata: { organizationId: a.id, customerId: a.customerId, checkoutId: row!.id },
      allowed_payment_method_types: ['card', 'us_bank_account'],
      customer_email: 'pat@alpha-customer.example',
      success_url: 'http://ar.example.com/portal/pay/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://ar.example.com/portal/pay/cancelled',
    });
    expect(session.line_items.map((l) => [l.name, l.amount])).toEqual([
      ['Invoice INV-1', 100000],
      ['Invoice INV-2', 30050],
    ]);
    const create = emu.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST');
    expect(create.at(-1)!.idempotencyKey).toBe(`duely-checkout-${row!.id}`);
    expect(create.at(-1)!.stripeVersion).toBe('2026-10-28.endive');

    // the same form submitted again (double click, back button): the same session, one row
    const again = await visitor.agent
      .post('/portal/pay')
      .set('X-Forwarded-For', visitor.ip)
      .type('form')
      .send(
        new URLSearchParams([
          ['_csrf', csrfFrom(page.text)],
          ['attempt', attempt],
          ['pay', a.invoiceId],
          ['pay', ids.inv2],
          [`amount_${a.invoiceId}`, '1,000.00'],
          [`amount_${ids.inv2}`, '300.50'],
        ]).toString(),
      );
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(res.headers.location);
    expect(await checkoutRows()).toHaveLength(1);
    expect(emu.sessions()).toHaveLength(1);
  });

  it('the success page shows "processing" until the signed webhook lands, never trusting the URL', async () => {
    const [row] = await checkoutRows();
    const before = await visitor.get(`/portal/pay/success?session_id=${row!.providerSessionId}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain('Your payment is being confirmed');
    expect(before.text).toContain('data-status="processing"');

    await emu.complete(row!.providerSessionId);
    const { payload, header } = emu.sign(emu.events.at(-1)!);
    const hook = await request(t.web)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', header)
      .send(payload);
    expect(hook.status).toBe(200);

    const after = await visitor.get(`/portal/pay/success?session_id=${row!.providerSessionId}`);
    expect(after.text).toContain('Thank you for your payment');
    expect(after.text).toContain('$1,300.50');
    const [inv1] = await t.app.db.select().from(invoices).where(eq(invoices.id, a.invoiceId));
    const [inv2] = await t.app.db.select().from(invoices).where(eq(invoices.id, ids.inv2));
    expect([inv1!.balance, inv1!.status]).toEqual(['200.0000', 'open']);
    expect([inv2!.balance, inv2!.status]).toEqual(['0.0000', 'paid']);

    // the pay page no longer offers the paid invoice
    const page = await visitor.get('/portal/pay');
    expect(page.text).not.toContain('Invoice INV-2');
    expect(page.text).toMatch(new RegExp(`name="amount_${a.invoiceId}" value="200.00"`));
  });

  it("shows nothing of another customer's or an unknown session", async () => {
    const [row] = await checkoutRows();
    const neighbour = await portalVisitor(
      t.web,
      (
        await portalLink(
          t.app,
          a.id,
          (await t.app.db.select().from(invoices).where(eq(invoices.id, ids.neighbourInvoice)))[0]!
            .customerId,
        )
      ).token,
    );
    const other = await neighbour.get(`/portal/pay/success?session_id=${row!.providerSessionId}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('1,300.50');
    expect((await visitor.get('/portal/pay/success?session_id=cs_test_unknown')).status).toBe(404);
    expect((await visitor.get('/portal/pay/success?session_id=%3Cscript%3E')).status).toBe(404);
  });

  it('the cancelled page says nothing was charged', async () => {
    const res = await visitor.get('/portal/pay/cancelled');
    expect(res.status).toBe(200);
    expect(res.text).toContain('nothing was charged');
  });

  it('explains when Stripe is unreachable, without creating anything', async () => {
    const before = (await checkoutRows()).length;
    emu.failNext(3, 500); // the first try and the SDK's two retries
    const res = await pay({ pay: [a.invoiceId], [`amount_${a.invoiceId}`]: '50' });
    expect(res.status).toBe(503);
    expect(res.text).toContain('Online payment is unavailable right now');
    expect((await checkoutRows()).length).toBe(before);
  });

  it('needs the CSRF token', async () => {
    const res = await visitor.agent
      .post('/portal/pay')
      .set('X-Forwarded-For', visitor.ip)
      .type('form')
      .send(`pay=${a.invoiceId}&amount_${a.invoiceId}=10`);
    expect(res.status).toBe(403);
  });

  it('without Stripe configured, /portal/pay leads to the payment instructions', async () => {
    const config = {
      ...t.app.config,
      STRIPE_SECRET_KEY: undefined,
      STRIPE_WEBHOOK_SECRET: undefined,
      stripeConfigured: false,
    };
    const web = createWebApp({ ...t.app, config });
    const v = await portalVisitor(web, (await portalLink(t.app, b.id, b.customerId)).token);
    const res = await v.get('/portal/pay');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal/how-to-pay');
  });

  it(`allows ${PAY_ATTEMPTS_PER_10_MINUTES} payment attempts per customer in 10 minutes`, async () => {
    const v = await portalVisitor(t.web, (await portalLink(t.app, b.id, b.customerId)).token);
    for (let i = 0; i < PAY_ATTEMPTS_PER_10_MINUTES; i++) {
      const r = await v.post(
        '/portal/pay',
        { pay: [b.invoiceId], [`amount_${b.invoiceId}`]: '0' },
        '/portal/pay',
      );
      expect(r.status).toBe(400);
    }
    const blocked = await v.post(
      '/portal/pay',
      { pay: [b.invoiceId], [`amount_${b.invoiceId}`]: '10' },
      '/portal/pay',
    );
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
  });
});
