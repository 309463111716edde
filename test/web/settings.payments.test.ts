import { and, eq } from 'drizzle-orm';
import { auditLog, connections, organizations, writeBacks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('settings: payments page (online payment status, instructions, accounts for write-back)', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  let held: string; // a Xero payment write-back of firm A waiting for a bank account
  let heldB: string; // the same for firm B

  async function xeroPaymentHeld(f: Firm, key: string): Promise<string> {
    const scope = new OrgScope(t.app.db, f.id);
    const [conn] = await scope
      .insert(connections, {
        platform: 'xero',
        externalTenantId: `tenant-${f.slug}`,
        displayName: `${f.slug} Xero`,
      })
      .returning({ id: connections.id });
    const [wb] = await scope
      .insert(writeBacks, {
        connectionId: conn!.id,
        kind: 'payment',
        idempotencyKey: key,
        payload: { accountRef: null, amount: '100.00' },
        status: 'failed',
        attempts: 1,
        lastError: 'Choose the Xero bank account that receives payments (Settings → Payments)',
      })
      .returning({ id: writeBacks.id });
    return wb!.id;
  }

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Payments Alpha');
    b = await seedFirm(t.app, 'Payments Beta');
    await t.app.db
      .update(organizations)
      .set({ branding: { paymentInstructions: 'Wire to IBAN GB00 ALPHA 0001' } })
      .where(eq(organizations.id, a.id));
    await t.app.db
      .update(organizations)
      .set({
        branding: { paymentInstructions: 'Beta secret bank 99-99-99' },
        settings: { payments: { xeroAccountCode: 'BETA7' } },
      })
      .where(eq(organizations.id, b.id));
    held = await xeroPaymentHeld(a, 'pay-a-1');
    heldB = await xeroPaymentHeld(b, 'pay-b-1');
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const u = browser(t.web);
    expect((await u.login(email, PASSWORD)).status).toBe(302);
    return u;
  }
  const settingsOf = async (f: Firm) =>
    (await t.app.db.select().from(organizations).where(eq(organizations.id, f.id)))[0]!.settings;
  const audits = async (f: Firm) =>
    t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, f.id), eq(auditLog.action, 'settings.payments.updated')));
  const writeBack = async (id: string) =>
    (await t.app.db.select().from(writeBacks).where(eq(writeBacks.id, id)))[0]!;

  it('shows an admin that Stripe is off, the portal instructions, the held payments and the form', async () => {
    const admin = await signedIn(a.users.admin);
    const res = await admin.agent.get('/settings/payments');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/data-testid="stripe-status">Off: Stripe is not configured/);
    expect(res.text).toContain('Wire to IBAN GB00 ALPHA 0001');
    expect(res.text).toMatch(/data-testid="held-payments">1 payment taken online is waiting/);
    expect(res.text).toContain('name="xeroAccountCode"');
    expect(res.text).toContain('Save payment settings');
    expect(res.text).toContain('<a href="/settings/payments" aria-current="page">Payments</a>');
    // nothing of the other firm
    expect(res.text).not.toContain('Beta secret bank');
    expect(res.text).not.toContain('BETA7');
  });

  it('lets a viewer read the page but not change it: the form is disabled and a post gets 403', async () => {
    const viewer = await signedIn(a.users.viewer);
    const page = await viewer.agent.get('/settings/payments');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Only admins can change the payment settings.');
    expect(page.text).not.toContain('Save payment settings');
    const clerk = await signedIn(a.users.clerk);
    for (const who of [viewer, clerk]) {
      const res = await who.postForm('/settings/payments', { xeroAccountCode: '090' }, '/settings/payments');
      expect(res.status).toBe(403);
    }
    expect(await settingsOf(a)).not.toHaveProperty('payments');
    expect(await audits(a)).toEqual([]);
    expect(await writeBack(held)).toMatchObject({ status: 'failed' });
  });

  it('needs the CSRF token', async () => {
    const admin = await signedIn(a.users.admin);
    const res = await admin.agent.post('/settings/payments').type('form').send({ xeroAccountCode: '090' });
    expect(res.status).toBe(403);
    expect(await settingsOf(a)).not.toHaveProperty('payments');
  });

  it('refuses a bad account code or deposit account with a clear message and changes nothing', async () => {
    const admin = await signedIn(a.users.admin);
    const bad = await admin.postForm(
      '/settings/payments',
      { xeroAccountCode: 'not a code!', quickbooksDepositAccountId: '' },
      '/settings/payments',
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Not saved: Xero bank account code must be a Xero account code');
    expect(bad.text).toMatch(/id="xeroAccountCode"[^>]*value="not a code!"[^>]*aria-invalid="true"/);
    const qb = await admin.postForm(
      '/settings/payments',
      { xeroAccountCode: '090', quickbooksDepositAccountId: 'Undeposited' },
      '/settings/payments',
    );
    expect(qb.status).toBe(400);
    expect(qb.text).toContain(
      'Not saved: QuickBooks deposit account id must be a QuickBooks account id (digits)',
    );
    expect(await settingsOf(a)).not.toHaveProperty('payments');
    expect(await audits(a)).toEqual([]);
    expect(await writeBack(held)).toMatchObject({ status: 'failed', payload: { accountRef: null } });
  });

  it('saves a good code, audits it, releases the held Xero payment of this firm only', async () => {
    const admin = await signedIn(a.users.admin);
    const res = await admin.postForm(
      '/settings/payments',
      { xeroAccountCode: ' 090 ', quickbooksDepositAccountId: '35' },
      '/settings/payments',
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/settings/payments');
    expect((await settingsOf(a)).payments).toEqual({
      xeroAccountCode: '090',
      quickbooksDepositAccountId: '35',
    });
    const [entry] = await audits(a);
    expect(entry).toMatchObject({
      actorType: 'user',
      data: { xeroAccountCode: '090', quickbooksDepositAccountId: '35' },
    });

    const page = await admin.agent.get('/settings/payments');
    expect(page.text).toContain('1 held payment is being written back to Xero.');
    expect(page.text).toMatch(/id="xeroAccountCode"[^>]*value="090"/);
    expect(page.text).not.toContain('data-testid="held-payments"');
    // the held payment carries the account now and was sent again (its job runs it)
    const released = await writeBack(held);
    expect(released.payload).toMatchObject({ accountRef: '090' });
    expect(released.lastError ?? '').not.toMatch(/bank account/);

    // the other firm: its own code untouched, its held payment still held
    expect((await settingsOf(b)).payments).toEqual({ xeroAccountCode: 'BETA7' });
    expect(await writeBack(heldB)).toMatchObject({ status: 'failed', payload: { accountRef: null } });
    expect(await audits(b)).toEqual([]);
  });

  it('an empty code clears it (payments to Xero wait again)', async () => {
    const admin = await signedIn(a.users.admin);
    const res = await admin.postForm(
      '/settings/payments',
      { xeroAccountCode: '', quickbooksDepositAccountId: '' },
      '/settings/payments',
    );
    expect(res.status).toBe(302);
    expect((await settingsOf(a)).payments).toEqual({
      xeroAccountCode: null,
      quickbooksDepositAccountId: null,
    });
  });
});

describe('settings: payments page with Stripe configured', () => {
  let t: TestApp;
  let a: Firm;
  beforeAll(async () => {
    t = await createTestApp({
      env: { STRIPE_SECRET_KEY: 'sk_test_payments_page', STRIPE_WEBHOOK_SECRET: 'whsec_payments_page' },
    });
    a = await seedFirm(t.app, 'Payments Stripe');
  });
  afterAll(() => t.close());

  it('says online payment is on in test mode and never shows the keys', async () => {
    const admin = browser(t.web);
    expect((await admin.login(a.users.admin, PASSWORD)).status).toBe(302);
    const res = await admin.agent.get('/settings/payments');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/data-testid="stripe-status">On: customers can pay by card or US bank account/);
    expect(res.text).toContain('(test mode)');
    expect(res.text).not.toContain('sk_test_payments_page');
    expect(res.text).not.toContain('whsec_payments_page');
    expect(res.text).toMatch(/data-testid="payment-instructions">None yet/);
  });
});
