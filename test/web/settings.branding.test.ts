import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../src/db/schema';
import { findOrganization } from '../../src/services/organizations';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

const GOOD = {
  logoUrl: 'https://cdn.example.com/logo.png',
  color: '#0A7D3B',
  senderName: 'Accounts at Brand Alpha',
  senderEmail: 'ar@brand-alpha.example',
  replyTo: 'billing@brand-alpha.example',
  signature: 'Jo Bloggs\nCredit control',
  paymentInstructions: 'IBAN GB00 TEST 0000 0000 00 <pay here>',
};

describe('settings: branding and sender', () => {
  let t: TestApp;
  let a: Firm;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Brand Alpha');
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const u = browser(t.web);
    expect((await u.login(email, PASSWORD)).status).toBe(302);
    return u;
  }

  it('saves the branding, audits it and shows it in the sample e-mail', async () => {
    const admin = await signedIn(a.users.admin);
    const page = await admin.agent.get('/settings/branding');
    expect(page.status).toBe(200);
    expect(page.text).toContain('src="/settings/branding/preview"');
    const res = await admin.postForm('/settings/branding', GOOD, '/settings/branding');
    expect(res.status).toBe(302);
    const org = await findOrganization(t.app.db, a.id);
    expect(org.branding).toEqual({ ...GOOD, color: '#0a7d3b' });
    const entries = await t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, a.id), eq(auditLog.action, 'branding.updated')));
    expect(entries).toHaveLength(1);
    const preview = await admin.agent.get('/settings/branding/preview');
    expect(preview.status).toBe(200);
    expect(preview.headers['content-security-policy']).toMatch(/^sandbox;/);
    expect(preview.text).toContain('https://cdn.example.com/logo.png');
    expect(preview.text.toLowerCase()).toContain('#0a7d3b');
    expect(preview.text).toContain('&lt;pay here&gt;');
    expect(preview.text).toContain('Brand Alpha Customer');
  });

  it('previews unsaved values without saving them', async () => {
    const admin = await signedIn(a.users.admin);
    const res = await admin.postForm(
      '/settings/branding/preview',
      { ...GOOD, color: '#123456', signature: 'Unsaved Signature' },
      '/settings/branding',
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('#123456');
    expect(res.text).toContain('Unsaved Signature');
    expect((await findOrganization(t.app.db, a.id)).branding.color).toBe('#0a7d3b');
  });

  it.each([
    [{ color: 'green' }, 'color', 'Colour must be a colour such as #1a73e8'],
    [{ logoUrl: 'http://cdn.example.com/logo.png' }, 'logoUrl', 'Logo URL must be an https:// address'],
    [{ replyTo: 'not an address' }, 'replyTo', 'Reply-to must be an e-mail address'],
    [{ senderName: 'Two\nLines' }, 'senderName', 'Sender name must be one line'],
  ])(
    'rejects %j with a clear message, keeps the typed values and changes nothing',
    async (bad, name, msg) => {
      const admin = await signedIn(a.users.admin);
      const before = await findOrganization(t.app.db, a.id);
      const res = await admin.postForm('/settings/branding', { ...GOOD, ...bad }, '/settings/branding');
      expect(res.status).toBe(400);
      expect(res.text).toContain(msg);
      expect(res.text).toMatch(new RegExp(`name="${name}"[^>]*aria-invalid="true"`));
      expect((await findOrganization(t.app.db, a.id)).branding).toEqual(before.branding);
    },
  );

  it('clears a field left empty', async () => {
    const admin = await signedIn(a.users.admin);
    await admin.postForm('/settings/branding', { ...GOOD, logoUrl: '' }, '/settings/branding');
    expect((await findOrganization(t.app.db, a.id)).branding.logoUrl).toBeNull();
    await admin.postForm('/settings/branding', GOOD, '/settings/branding');
  });

  it('shows clerks and viewers the branding read-only and refuses their changes', async () => {
    for (const role of ['clerk', 'viewer'] as const) {
      const u = await signedIn(a.users[role]);
      const page = await u.agent.get('/settings/branding');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<fieldset disabled>');
      expect((await u.agent.get('/settings/branding/preview')).status).toBe(200);
      for (const path of ['/settings/branding', '/settings/branding/preview']) {
        const res = await u.postForm(path, { ...GOOD, color: '#000000' }, '/settings/branding');
        expect({ role, path, status: res.status }).toEqual({ role, path, status: 403 });
      }
    }
    expect((await findOrganization(t.app.db, a.id)).branding.color).toBe('#0a7d3b');
  });
});
