import { and, eq } from 'drizzle-orm';
import { auditLog, organizations } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** Firm settings (`/settings/organization`): going live from here asks the same confirmation. */
describe('firm settings form and the automation switch', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Firmform Alpha');
    b = await seedFirm(t.app, 'Firmform Bravo');
  });
  afterAll(() => t.close());

  const orgOf = async (f: Firm) =>
    (await t.app.db.select().from(organizations).where(eq(organizations.id, f.id)))[0]!;
  const setMode = (f: Firm, automation: 'off' | 'preview' | 'live') =>
    t.app.db.update(organizations).set({ automation }).where(eq(organizations.id, f.id));
  const audits = (f: Firm, action: string) =>
    t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, f.id), eq(auditLog.action, action)));
  const signedIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };
  const form = (org: { name: string }, automation: string) => ({
    name: org.name,
    timezone: 'UTC',
    country: 'US',
    currency: 'USD',
    automation,
  });
  /** The hidden fields of the page's go-live form, as a browser would post them. */
  const confirmFields = (html: string) => {
    const f = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html)!;
    const body: Record<string, string | string[]> = {};
    for (const m of f[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      const prev = body[m[1]!];
      body[m[1]!] = prev === undefined ? m[2]! : [...(Array.isArray(prev) ? prev : [prev]), m[2]!];
    }
    return { action: f[1]!, body };
  };

  it('shows the automation choice with a note that going live asks to confirm', async () => {
    const admin = await signedIn(a.users.admin);
    const page = await admin.agent.get('/settings/organization');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<option value="preview" selected>/);
    expect(page.text).toContain('Choosing Live shows what the next run would send and asks you to confirm');
  });

  it('choosing Live saves the firm details but not the switch, and shows the go-live confirmation', async () => {
    await setMode(a, 'preview');
    const admin = await signedIn(a.users.admin);
    const ask = await admin.postForm(
      '/settings/organization',
      form({ name: 'Firmform Alpha Renamed' }, 'live'),
      '/settings/organization',
    );
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Go live?');
    expect(ask.text).toContain('Firm details saved. Automation stays preview until you confirm going live.');
    const after = await orgOf(a);
    expect(after.automation).toBe('preview');
    expect(after.name).toBe('Firmform Alpha Renamed');
    expect(await audits(a, 'automation.updated')).toHaveLength(0);

    // the same forecast as Settings → Automation's own confirmation
    const own = await admin.postForm(
      '/settings/automation',
      { mode: 'live', pilotActive: '', pilotTags: '' },
      '/settings/automation',
    );
    const live = (html: string) => /data-testid="live-actions">([^<]*)</.exec(html)?.[1];
    expect(live(ask.text)).toMatch(/^\d+ live actions?$/);
    expect(live(ask.text)).toBe(live(own.text));
    expect((await orgOf(a)).automation).toBe('preview');

    // "Yes, go live" posts to the automation page with confirm=yes: live, audited once
    const { action, body } = confirmFields(ask.text);
    expect(action).toBe('/settings/automation');
    expect(body).toMatchObject({ mode: 'live', confirm: 'yes' });
    const yes = await admin.agent.post(action).type('form').send(body);
    expect(yes.status).toBe(302);
    expect(yes.headers.location).toBe('/settings/automation');
    expect((await orgOf(a)).automation).toBe('live');
    const entries = await audits(a, 'automation.updated');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.data).toMatchObject({ from: 'preview', to: 'live' });
  });

  it('keeps a live firm live without asking again, and steps back to preview or off without confirming', async () => {
    await setMode(a, 'live');
    const admin = await signedIn(a.users.admin);
    const name = (await orgOf(a)).name;
    const same = await admin.postForm(
      '/settings/organization',
      form({ name }, 'live'),
      '/settings/organization',
    );
    expect(same.status).toBe(302);
    expect((await orgOf(a)).automation).toBe('live');
    const back = await admin.postForm(
      '/settings/organization',
      form({ name }, 'preview'),
      '/settings/organization',
    );
    expect(back.status).toBe(302);
    expect((await orgOf(a)).automation).toBe('preview');
    await admin.postForm('/settings/organization', form({ name }, 'off'), '/settings/organization');
    expect((await orgOf(a)).automation).toBe('off');
  });

  it('from off, choosing Live asks too', async () => {
    await setMode(a, 'off');
    const admin = await signedIn(a.users.admin);
    const ask = await admin.postForm(
      '/settings/organization',
      form(await orgOf(a), 'live'),
      '/settings/organization',
    );
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Automation stays off until you confirm going live.');
    expect((await orgOf(a)).automation).toBe('off');
  });

  it('refuses bad input with a clear message and nothing changed', async () => {
    await setMode(a, 'preview');
    const before = await orgOf(a);
    const admin = await signedIn(a.users.admin);
    const bad = await admin.postForm(
      '/settings/organization',
      { ...form(before, 'live'), timezone: 'Mars/Olympus' },
      '/settings/organization',
    );
    expect(bad.status).toBe(302);
    const page = await admin.agent.get('/settings/organization');
    expect(page.text).toMatch(/class="flash flash-error"[^>]*>[^<]*time zone/i);
    const after = await orgOf(a);
    expect(after).toMatchObject({ automation: 'preview', timezone: before.timezone, name: before.name });
    const bogus = await admin.postForm(
      '/settings/organization',
      form(before, 'everything'),
      '/settings/organization',
    );
    expect(bogus.status).toBe(302);
    expect((await orgOf(a)).automation).toBe('preview');
  });

  it('a viewer or clerk cannot switch a firm to live from this form (403, nothing changed)', async () => {
    await setMode(a, 'preview');
    for (const role of ['viewer', 'clerk'] as const) {
      const u = await signedIn(a.users[role]);
      const res = await u.postForm(
        '/settings/organization',
        form(await orgOf(a), 'live'),
        '/settings/organization',
      );
      expect(res.status).toBe(403);
      expect((await orgOf(a)).automation).toBe('preview');
    }
  });

  it('a form without the CSRF token changes nothing', async () => {
    const admin = await signedIn(a.users.admin);
    const res = await admin.agent
      .post('/settings/organization')
      .type('form')
      .send(form(await orgOf(a), 'live'));
    expect(res.status).toBe(403);
    expect((await orgOf(a)).automation).toBe('preview');
  });

  it('an admin of one firm changes only their own firm', async () => {
    await setMode(b, 'preview');
    const admin = await signedIn(a.users.admin);
    await admin.postForm('/settings/organization', form(await orgOf(a), 'off'), '/settings/organization');
    expect((await orgOf(b)).automation).toBe('preview');
    expect((await orgOf(b)).name).toBe('Firmform Bravo');
  });
});
