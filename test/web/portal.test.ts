import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import {
  activities,
  contacts,
  creditNotes,
  customers,
  invoices,
  organizations,
  paymentAllocations,
  payments,
  portalTokens,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { revokePortalLinks } from '../../src/services/portal/tokens';
import { updatePolicies } from '../../src/services/policies';
import { createTestApp, type TestApp } from '../support/app';
import { portalLink, portalVisitor } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

const DAY = 86_400_000;

describe('customer portal: access and pages', () => {
  let t: TestApp;
  let clock = new Date('2026-11-20T12:00:00Z');
  let a: Firm;
  let b: Firm;
  /** Firm A's second customer. */
  let other: { customerId: string; invoiceId: string; paymentId: string };
  let ids: { dueSoon: string; eur: string; paid: string; payment: string; voided: string };

  beforeAll(async () => {
    t = await createTestApp({ now: () => clock });
    a = await seedFirm(t.app, 'Portal Alpha'); // INV-1 1200.00 USD due 2026-10-31: 20 days overdue
    b = await seedFirm(t.app, 'Portal Beta');
    const scope = new OrgScope(t.app.db, a.id);
    const base = { connectionId: a.connectionId, customerId: a.customerId, platformStatus: 'x' };
    const rows = await scope
      .insert(invoices, [
        {
          ...base,
          externalId: '101',
          number: 'INV-2',
          currency: 'USD',
          issueDate: '2026-11-10',
          dueDate: '2026-11-23',
          total: '300.50',
          balance: '300.50',
          status: 'open',
          onlinePaymentUrl: 'https://pay.example.com/inv-2',
        },
        {
          ...base,
          externalId: '102',
          number: 'INV-3',
          currency: 'EUR',
          issueDate: '2026-11-01',
          dueDate: '2026-11-20',
          total: '80',
          balance: '80',
          status: 'open',
          onlinePaymentUrl: 'javascript:alert(1)',
        },
        {
          ...base,
          externalId: '103',
          number: 'INV-0',
          currency: 'USD',
          issueDate: '2026-09-01',
          dueDate: '2026-09-30',
          total: '500.00',
          balance: '0',
          status: 'paid',
          paidAt: new Date('2026-09-25T00:00:00Z'),
          lines: [{ description: 'Consulting <b>September</b>', amount: '500.00' }],
          lineCount: 1,
        },
        {
          ...base,
          externalId: '104',
          number: 'INV-VOID',
          currency: 'USD',
          issueDate: '2026-11-02',
          dueDate: '2026-11-30',
          total: '999.00',
          balance: '999.00',
          status: 'voided',
        },
      ])
      .returning({ id: invoices.id });
    const [pay] = await scope
      .insert(payments, {
        connectionId: a.connectionId,
        externalId: 'P1',
        customerId: a.customerId,
        date: '2026-09-25',
        amount: '500.00',
        currency: 'USD',
        method: 'Check',
        reference: 'CHK-77',
      })
      .returning({ id: payments.id });
    await scope.insert(paymentAllocations, {
      paymentId: pay!.id,
      invoiceId: rows[2]!.id,
      invoiceExternalId: '103',
      amount: '500.00',
    });
    await scope.insert(creditNotes, {
      connectionId: a.connectionId,
      externalId: 'CN1',
      customerId: a.customerId,
      number: 'CN-1',
      date: '2026-11-15',
      currency: 'USD',
      total: '50.00',
      remaining: '0',
      status: 'applied',
      allocations: [{ invoiceExternalId: '100', amount: '50.00' }],
    });
    ids = {
      dueSoon: rows[0]!.id,
      eur: rows[1]!.id,
      paid: rows[2]!.id,
      payment: pay!.id,
      voided: rows[3]!.id,
    };

    const [c2] = await scope
      .insert(customers, { connectionId: a.connectionId, externalId: '2', name: 'Neighbour Ltd' })
      .returning({ id: customers.id });
    const [i2] = await scope
      .insert(invoices, {
        connectionId: a.connectionId,
        customerId: c2!.id,
        externalId: '200',
        number: 'NB-900',
        currency: 'USD',
        issueDate: '2026-11-01',
        dueDate: '2026-11-15',
        total: '4242.00',
        balance: '4242.00',
        status: 'open',
        platformStatus: 'x',
      })
      .returning({ id: invoices.id });
    const [p2] = await scope
      .insert(payments, {
        connectionId: a.connectionId,
        externalId: 'P2',
        customerId: c2!.id,
        date: '2026-11-01',
        amount: '10.00',
        currency: 'USD',
      })
      .returning({ id: payments.id });
    other = { customerId: c2!.id, invoiceId: i2!.id, paymentId: p2!.id };
  });
  afterAll(() => t.close());

  it('opens a session from the link, takes the token out of the address and lists only this customer’s open invoices', async () => {
    const link = await portalLink(t.app, a.id, a.customerId);
    expect(link.url).toMatch(/\/p\/[A-Za-z0-9_-]{43}$/);
    const opened = await request(t.web).get(`/p/${link.token}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/portal');
    expect(opened.headers['set-cookie']).toBeDefined();

    const v = await portalVisitor(t.web, link.token);
    const res = await v.get('/portal');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Portal Alpha Customer');
    expect(res.text).toContain('<a href="/portal" aria-current="page">Invoices</a>');
    // earliest due first, with days overdue / due in
    const numbers = [
      ...res.text.matchAll(/<a id="n\d+" href="\/portal\/invoices\/[0-9a-f-]+">([^<]+)<\/a>/g),
    ].map((m) => m[1]);
    expect(numbers).toEqual(['INV-1', 'INV-3', 'INV-2']);
    expect(res.text).toContain('20 days overdue');
    expect(res.text).toContain('Due today');
    expect(res.text).toContain('Due in 3 days');
    expect(res.text).toMatch(/data-testid="total-USD">\$1,500\.50</);
    expect(res.text).toMatch(/data-testid="total-EUR">€80\.00</);
    // not the paid or voided ones, nor the neighbour's, nor another firm's
    for (const absent of ['INV-0', 'INV-VOID', 'NB-900', '4,242.00', 'Portal Beta'])
      expect(res.text).not.toContain(absent);
    // actions per invoice: promise and dispute forms of the other areas
    expect(res.text).toContain(`/portal/promise?invoice=${a.invoiceId}`);
    expect(res.text).toContain(`/portal/disputes/new?invoice=${a.invoiceId}`);
  });

  it('sends Pay to the invoice’s own https payment link without online payments, else to how to pay', async () => {
    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId)).token);
    const res = await v.get('/portal');
    expect(res.text).toContain(
      'href="https://pay.example.com/inv-2" rel="noopener noreferrer" target="_blank"',
    );
    expect(res.text).not.toContain('javascript:');
    expect(res.text).not.toContain('/portal/pay?invoice=');
    expect(res.text).toContain('<a id="n0" href="/portal/invoices/' + a.invoiceId + '">INV-1</a>');
    expect(res.text).toContain('<a href="/portal/how-to-pay" aria-describedby="n0">Pay</a>');
  });

  it('shows an invoice with its lines, payments and credit notes; paid invoices and payment history', async () => {
    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId)).token);
    const paid = await v.get(`/portal/invoices/${ids.paid}`);
    expect(paid.status).toBe(200);
    expect(paid.text).toContain('Invoice INV-0');
    expect(paid.text).toContain('Consulting &lt;b&gt;September&lt;/b&gt;');
    expect(paid.text).toContain('CHK-77');
    expect(paid.text).toMatch(/data-testid="balance">\$0\.00</);
    const open = await v.get(`/portal/invoices/${a.invoiceId}`);
    expect(open.text).toContain('CN-1');
    expect(open.text).toContain(`/portal/invoices/${a.invoiceId}/pdf`);

    const history = await v.get('/portal/paid');
    expect(history.status).toBe(200);
    expect(history.text).toContain('aria-current="page">Paid &amp; payments');
    expect(history.text).toContain('INV-0');
    expect(history.text).toContain('CHK-77');
    expect(history.text).not.toContain('NB-900');
    const payment = await v.get(`/portal/payments/${ids.payment}`);
    expect(payment.status).toBe(200);
    expect(payment.text).toContain(`/portal/invoices/${ids.paid}`);
  });

  it('a session of one customer gets 404 for every invoice, PDF and payment of another customer or firm', async () => {
    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId)).token);
    expect((await v.get(`/portal/invoices/${a.invoiceId}`)).status).toBe(200);
    const foreign = [
      `/portal/invoices/${other.invoiceId}`,
      `/portal/invoices/${other.invoiceId}/pdf`,
      `/portal/payments/${other.paymentId}`,
      `/portal/invoices/${b.invoiceId}`,
      `/portal/invoices/${b.invoiceId}/pdf`,
      `/portal/invoices/${ids.voided.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}`, // an id no invoice has
      '/portal/invoices/not-a-uuid',
      '/portal/invoices/not-a-uuid/pdf',
      '/portal/payments/1',
    ];
    for (const path of foreign) {
      const res = await v.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).not.toContain('NB-900');
      expect(res.text).not.toContain('4,242');
    }
    // B's own session sees B's invoice: the 404 above is isolation, not a broken page
    const vb = await portalVisitor(t.web, (await portalLink(t.app, b.id, b.customerId)).token);
    expect((await vb.get(`/portal/invoices/${b.invoiceId}`)).status).toBe(200);
    expect((await vb.get(`/portal/invoices/${a.invoiceId}`)).status).toBe(404);
    const list = await vb.get('/portal');
    expect(list.text).not.toContain('INV-2');
  });

  it('an expired link and a revoked link get the renewal page (401); an unknown one a 404 with the same form', async () => {
    const expiring = await portalLink(t.app, a.id, a.customerId);
    await t.app.db
      .update(portalTokens)
      .set({ expiresAt: new Date(clock.getTime() - 1000) })
      .where(eq(portalTokens.id, expiring.tokenId));
    const expired = await request(t.web).get(`/p/${expiring.token}`);
    expect(expired.status).toBe(401);
    expect(expired.text).toContain('This link has expired');
    expect(expired.text).toContain('action="/portal/renew"');
    expect(expired.text).toMatch(/name="_csrf" value="[^"]+"/);

    const revokedLink = await portalLink(t.app, b.id, b.customerId);
    await revokePortalLinks(t.app, new OrgScope(t.app.db, b.id), b.customerId, { type: 'user', id: null });
    const revoked = await request(t.web).get(`/p/${revokedLink.token}`);
    expect(revoked.status).toBe(401);
    expect(revoked.text).toContain('Send me a new link');

    const unknown = await request(t.web).get(`/p/${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This link does not work');
    expect((await request(t.web).get('/portal')).status).toBe(401);
  });

  it('revoking the links ends an open session at once', async () => {
    const scope = new OrgScope(t.app.db, a.id);
    const [c] = await scope
      .insert(customers, { connectionId: a.connectionId, externalId: 'rv', name: 'Revoked Co' })
      .returning({ id: customers.id });
    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, c!.id)).token);
    expect((await v.get('/portal')).status).toBe(200);
    await revokePortalLinks(t.app, scope, c!.id, { type: 'user', id: null });
    const after = await v.get('/portal');
    expect(after.status).toBe(401);
    expect(after.text).toContain('This link has expired');
    expect(after.text).not.toContain('Revoked Co');
    expect((await v.get('/portal/statement')).status).toBe(401);
  });

  it('rolls the expiry forward when the link or the session is used', async () => {
    const start = clock;
    try {
      const link = await portalLink(t.app, a.id, a.customerId);
      const expiryOf = async () =>
        (
          await t.app.db.select().from(portalTokens).where(eq(portalTokens.id, link.tokenId))
        )[0]!.expiresAt.getTime();
      expect(await expiryOf()).toBe(start.getTime() + 30 * DAY);
      clock = new Date(start.getTime() + 20 * DAY);
      const v = await portalVisitor(t.web, link.token);
      expect(await expiryOf()).toBe(start.getTime() + 50 * DAY);
      clock = new Date(start.getTime() + 45 * DAY); // past the first expiry, within the rolled one
      expect((await v.get('/portal')).status).toBe(200);
      expect(await expiryOf()).toBe(start.getTime() + 75 * DAY);
      clock = new Date(start.getTime() + 45 * DAY + 3600_000); // same day: no write
      expect((await v.get('/portal')).status).toBe(200);
      expect(await expiryOf()).toBe(start.getTime() + 75 * DAY);
      clock = new Date(start.getTime() + 76 * DAY); // unused for longer than the lifetime
      expect((await v.get('/portal')).status).toBe(401);
    } finally {
      clock = start;
    }
  });

  it('records one portal visit per session and day on the customer’s timeline', async () => {
    const scope = new OrgScope(t.app.db, a.id);
    const [c] = await scope
      .insert(customers, { connectionId: a.connectionId, externalId: 'vis', name: 'Visitor Co' })
      .returning({ id: customers.id });
    const visits = async () =>
      (
        await scope.select(
          activities,
          and(eq(activities.customerId, c!.id), eq(activities.kind, 'portal.visit')),
        )
      ).map((r) => r.actorType);
    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, c!.id)).token);
    await Promise.all([v.get('/portal'), v.get('/portal/paid')]);
    await v.get('/portal/statement');
    expect(await visits()).toEqual(['customer']);
    const start = clock;
    try {
      clock = new Date(start.getTime() + DAY);
      await v.get('/portal');
      expect(await visits()).toHaveLength(2);
    } finally {
      clock = start;
    }
  });

  it('shows a statement with opening balance, running balance and closing balance, and its CSV', async () => {
    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId)).token);
    const res = await v.get('/portal/statement?from=2026-10-01&to=2026-11-20');
    expect(res.status).toBe(200);
    expect(res.text).toContain('aria-current="page">Statement');
    // before Oct 1: INV-0 500.00 and its payment 500.00 → opening 0
    expect(res.text).toMatch(/data-testid="opening-USD">\$0\.00</);
    // INV-1 1200 + INV-2 300.50 − CN-1 50 = 1450.50 (the voided invoice is left out)
    expect(res.text).toMatch(/data-testid="closing-USD">\$1,450\.50</);
    expect(res.text).toMatch(/data-testid="closing-EUR">€80\.00</);
    expect(res.text).not.toContain('INV-VOID');
    expect(res.text).toContain('src="/assets/portal.js"');

    const defaultPeriod = await v.get('/portal/statement');
    expect(defaultPeriod.text).toContain('value="2026-08-23"'); // last 90 days up to today

    const csv = await v.get('/portal/statement.csv?from=2026-09-01&to=2026-11-20');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[0]).toBe('Date,Type,Reference,Currency,Charges,Credits,Balance');
    expect(csv.text).toContain('2026-09-25,Payment,CHK-77,USD,,500.00,0.00');
    expect(csv.text).toContain('2026-11-20,Closing balance,,USD,2000.50,550.00,1450.50');

    const bad = await v.get('/portal/statement?from=2026-12-01&to=2026-11-01');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Start date: must be on or before the end date');
    expect((await v.get('/portal/statement?from=yesterday')).status).toBe(400);
  });

  it('shows the firm’s payment instructions safely, with line breaks, and the invoices’ own payment links', async () => {
    // branding is the firm's own setting (its settings page has its own tests): written directly here
    await t.app.db
      .update(organizations)
      .set({ branding: { paymentInstructions: 'Bank: First <Bank>\nIBAN: DE00 1234', color: '#fde047' } })
      .where(eq(organizations.id, a.id));

    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId)).token);
    const res = await v.get('/portal/how-to-pay');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Bank: First &lt;Bank&gt;\nIBAN: DE00 1234');
    expect(res.text).toContain('class="pre-line"');
    expect(res.text).toContain('https://pay.example.com/inv-2');
    expect(res.text).not.toContain('Pay online</a>');
    expect(res.text).toContain('href="/portal-brand.css?c=fde047"');
    const css = await request(t.web).get('/portal-brand.css?c=fde047');
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.text).toBe(':root { --brand: #fde047; --brand-ink: #111827; }\n');
    expect((await request(t.web).get('/portal-brand.css?c=red;}')).status).toBe(400);
    // no inline styles or scripts anywhere on the page
    expect(res.text).not.toMatch(/style="|<script(?![^>]*src="\/assets\/)/);
  });

  it('answers an unknown portal page with the portal’s own 404 page', async () => {
    const v = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId)).token);
    const res = await v.get('/portal/nothing-here');
    expect(res.status).toBe(404);
    expect(res.text).toContain('href="/assets/portal.css"');
    expect(res.text).toContain('Back to your invoices');
  });

  it('keeps preferences read-only when the firm does not allow customers to change them', async () => {
    const scope = new OrgScope(t.app.db, b.id);
    await updatePolicies(
      t.app.db,
      b.id,
      { portal: { linkTtlDays: 30, allowPreferenceUpdates: false } },
      {
        type: 'system',
        id: null,
      },
    );
    const [k] = await scope
      .insert(contacts, { customerId: b.customerId, email: 'ap@b.example', role: 'billing' })
      .returning({ id: contacts.id });
    const v = await portalVisitor(t.web, (await portalLink(t.app, b.id, b.customerId, k!.id)).token);
    const page = await v.get('/portal/preferences');
    expect(page.status).toBe(200);
    expect(page.text).toContain('keeps your contact preferences up to date for you');
    expect(page.text).not.toContain('action="/portal/preferences"');
    const post = await v.post(
      '/portal/preferences',
      { channel: 'call', hoursFrom: '9', hoursTo: '12', days: ['1'], timezone: 'Europe/Paris' },
      '/portal/renew',
    );
    expect(post.status).toBe(403);
    const [cust] = await scope.select(customers, eq(customers.id, b.customerId));
    expect(cust!.preferredChannel).toBeNull();
  });
});
