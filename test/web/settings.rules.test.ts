import { and, eq } from 'drizzle-orm';
import { auditLog, customers, organizations } from '../../src/db/schema';
import { findOrganization } from '../../src/services/organizations';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

const RULES = {
  defaultHour: '10',
  quietHours: '1',
  quietStart: '19',
  quietEnd: '7',
  minGapDays: '3',
  weeklyCap: '2',
  country: 'gb',
  timezone: 'Europe/London',
  humanTouch: '1',
  humanTouchYears: '4',
};

const POLICIES = {
  graceDays: '5',
  maxDays: '45',
  brokenFollowUp: 'email',
  firstResponseHours: '12',
  businessStart: '8',
  businessEnd: '18',
  maxAttachmentMb: '2',
  linkTtlDays: '14',
  allowPreferenceUpdates: '',
};

describe('settings: send rules, automation and pilot, policies', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Rules Alpha'); // one open invoice, due 2026-10-31: 20 days overdue
    b = await seedFirm(t.app, 'Rules Beta');
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const u = browser(t.web);
    expect((await u.login(email, PASSWORD)).status).toBe(302);
    return u;
  }
  const org = (id = a.id) => findOrganization(t.app.db, id);
  const audits = async (action: string) =>
    t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, a.id), eq(auditLog.action, action)));

  it('shows the send rules with their defaults and saves new ones, with country and zone', async () => {
    const admin = await signedIn(a.users.admin);
    const page = await admin.agent.get('/settings/send-rules');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/id="defaultHour" name="defaultHour" inputmode="numeric" value="9"/);
    const res = await admin.postForm('/settings/send-rules', RULES, '/settings/send-rules');
    expect(res.status).toBe(302);
    const o = await org();
    expect(o.settings.sendRules).toEqual({
      defaultHour: 10,
      quietHours: { start: 19, end: 7 },
      minGapDays: 3,
      weeklyCap: 2,
    });
    expect(o.settings.humanTouch).toEqual({ minYears: 4, template: 'first-late-call' });
    expect(o.country).toBe('GB');
    expect(o.timezone).toBe('Europe/London');
    expect(await audits('settings.send_rules.updated')).toHaveLength(1);
    // no cap and no quiet hours are choices too
    await admin.postForm(
      '/settings/send-rules',
      { ...RULES, weeklyCap: '', quietHours: '' },
      '/settings/send-rules',
    );
    expect((await org()).settings.sendRules).toMatchObject({ weeklyCap: null, quietHours: null });
    await admin.postForm('/settings/send-rules', RULES, '/settings/send-rules');
  });

  it.each([
    [{ weeklyCap: '-1' }, 'weeklyCap', 'The weekly cap must be from 1 to 50'],
    [{ minGapDays: 'two' }, 'minGapDays', 'The minimum gap must be a whole number from 0 to 60'],
    [{ defaultHour: '24' }, 'defaultHour', 'The default hour must be from 0 to 23'],
    [{ defaultHour: '22' }, 'defaultHour', 'The default hour falls in the quiet hours'],
    [{ country: 'XX' }, 'country', 'Country must be a two-letter ISO code'],
    [{ timezone: 'Mars/Base' }, 'timezone', 'Time zone must be an IANA zone'],
  ])('rejects bad send rules %j with a clear message and changes nothing', async (bad, name, message) => {
    const admin = await signedIn(a.users.admin);
    const before = await org();
    const res = await admin.postForm('/settings/send-rules', { ...RULES, ...bad }, '/settings/send-rules');
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toMatch(new RegExp(`name="${name}"[^>]*aria-invalid="true"`));
    const after = await org();
    expect(after.settings).toEqual(before.settings);
    expect(after.country).toBe(before.country);
  });

  it('asks before going live, showing what the next run would send, then goes live and audits', async () => {
    const admin = await signedIn(a.users.admin);
    const page = await admin.agent.get('/settings/automation');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/value="preview" checked/);
    const ask = await admin.postForm(
      '/settings/automation',
      { mode: 'live', pilotActive: '', pilotTags: '' },
      '/settings/automation',
    );
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Go live?');
    expect(ask.text).toMatch(/data-testid="live-actions">1 live action</);
    expect((await org()).automation).toBe('preview');
    const confirm = await admin.postForm(
      '/settings/automation',
      { mode: 'live', confirm: 'yes', pilotActive: '', pilotTags: '' },
      '/settings/automation',
    );
    expect(confirm.status).toBe(302);
    expect((await org()).automation).toBe('live');
    const [entry] = await audits('automation.updated');
    expect(entry!.data).toMatchObject({ from: 'preview', to: 'live' });
  });

  it('pilots with chosen customers and tags: only they go live', async () => {
    const admin = await signedIn(a.users.admin);
    await admin.postForm(
      '/settings/automation',
      { mode: 'preview', pilotActive: '1', pilotTags: '' },
      '/settings/automation',
    );
    const search = await admin.agent.get('/settings/automation?q=alpha%20cust');
    expect(search.text).toContain('Rules Alpha Customer');
    expect(search.text).not.toContain('Rules Beta Customer');
    // pilot on, nobody ticked: the forecast has nothing live
    const none = await admin.postForm(
      '/settings/automation',
      { mode: 'live', pilotActive: '1', pilotTags: 'vip, pilot ', shown: a.customerId },
      '/settings/automation',
    );
    expect(none.text).toMatch(/data-testid="live-actions">0 live actions</);
    expect(none.text).toContain('1 other action stays in preview');
    const ticked = await admin.postForm(
      '/settings/automation',
      { mode: 'live', pilotActive: '1', pilotTags: 'vip', shown: a.customerId, pilotCustomer: a.customerId },
      '/settings/automation',
    );
    expect(ticked.text).toMatch(/data-testid="live-actions">1 live action</);
    const done = await admin.postForm(
      '/settings/automation',
      {
        mode: 'live',
        confirm: 'yes',
        pilotActive: '1',
        pilotTags: 'vip, pilot',
        shown: a.customerId,
        pilotCustomer: a.customerId,
      },
      '/settings/automation',
    );
    expect(done.status).toBe(302);
    const o = await org();
    expect(o.automation).toBe('live');
    expect(o.settings.pilot).toEqual({ active: true, tags: ['vip', 'pilot'] });
    const [c] = await t.app.db.select().from(customers).where(eq(customers.id, a.customerId));
    expect(c!.pilot).toBe(true);
    const page = await admin.agent.get('/settings/automation');
    expect(page.text).toMatch(new RegExp(`value="${a.customerId}" checked`));
  });

  it("never flags another firm's customer as pilot", async () => {
    const admin = await signedIn(a.users.admin);
    await admin.postForm(
      '/settings/automation',
      { mode: 'live', pilotActive: '1', pilotTags: '', shown: b.customerId, pilotCustomer: b.customerId },
      '/settings/automation',
    );
    const [c] = await t.app.db.select().from(customers).where(eq(customers.id, b.customerId));
    expect(c!.pilot).toBe(false);
    const page = await admin.agent.get('/settings/automation?q=Rules%20Beta');
    expect(page.text).not.toContain('Rules Beta Customer');
  });

  it('saves the policies through updatePolicies and rejects out-of-range values', async () => {
    const admin = await signedIn(a.users.admin);
    const page = await admin.agent.get('/settings/policies');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/name="graceDays" inputmode="numeric" value="3"/);
    const res = await admin.postForm('/settings/policies', POLICIES, '/settings/policies');
    expect(res.status).toBe(302);
    const o = await org();
    expect(o.settings.promises).toEqual({ graceDays: 5, maxDays: 45, brokenFollowUp: 'email' });
    expect(o.settings.disputes).toEqual({
      firstResponseHours: 12,
      businessHours: { start: 8, end: 18 },
      maxAttachmentBytes: 2 * 1024 * 1024,
    });
    expect(o.settings.portal).toEqual({ linkTtlDays: 14, allowPreferenceUpdates: false });
    for (const [bad, message] of [
      [{ graceDays: '99' }, 'Grace days after a promised date'],
      [{ businessStart: '18', businessEnd: '9' }, 'end must be after start'],
      [{ maxDays: '-3' }, 'Longest promise must be a whole number'],
    ] as const) {
      const r = await admin.postForm('/settings/policies', { ...POLICIES, ...bad }, '/settings/policies');
      expect(r.status).toBe(400);
      expect(r.text).toContain(message);
    }
    expect((await org()).settings.promises).toEqual({ graceDays: 5, maxDays: 45, brokenFollowUp: 'email' });
  });

  it('lets a viewer and a clerk read these pages but change nothing (403)', async () => {
    const before = await org();
    for (const role of ['viewer', 'clerk'] as const) {
      const u = await signedIn(a.users[role]);
      for (const page of ['/settings/send-rules', '/settings/automation', '/settings/policies']) {
        const res = await u.agent.get(page);
        expect({ page, status: res.status }).toEqual({ page, status: 200 });
        expect(res.text).toContain('<fieldset disabled>');
      }
      for (const [path, form] of [
        ['/settings/send-rules', RULES],
        ['/settings/automation', { mode: 'off' }],
        ['/settings/policies', POLICIES],
      ] as const) {
        const res = await u.postForm(path, form, path);
        expect({ role, path, status: res.status }).toEqual({ role, path, status: 403 });
      }
    }
    const after = await org();
    expect(after.settings).toEqual(before.settings);
    expect(after.automation).toBe(before.automation);
    const [other] = await t.app.db.select().from(organizations).where(eq(organizations.id, b.id));
    expect(other!.settings).toEqual({});
  });
});
