import { and, eq, sql } from 'drizzle-orm';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { queryRows } from '../../src/db/client';
import { auditLog, customers, emails, messages, organizations, tasks, users } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createUser } from '../../src/services/users';
import { listSequences } from '../../src/services/sequences';
import { findOrganization } from '../../src/services/organizations';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm } from '../support/tenancy';

describe('install and onboarding wizard', () => {
  let qb: QuickBooksEmulator;
  let t: TestApp;
  let orgId: string;
  const OWNER = 'owner@wizard-firm.test';

  beforeAll(async () => {
    qb = await startQuickBooksEmulator({
      company: { seed: 7, customers: 12, invoices: 50, asOf: '2026-11-20' },
      clientId: 'qb',
      clientSecret: 'qbs',
    });
    t = await createTestApp({
      now: () => new Date('2026-11-20T12:00:00Z'),
      connectors: [
        createQuickBooksConnector({
          clientId: 'qb',
          clientSecret: 'qbs',
          environment: 'sandbox',
          baseUrl: qb.url,
        }),
      ],
    });
  });
  afterAll(async () => {
    await t.close();
    await qb.close();
  });

  async function consent(authorizeUrl: string): Promise<string> {
    const res = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    return back.pathname + back.search;
  }
  async function signedIn(email: string) {
    const u = browser(t.web);
    expect((await u.login(email, PASSWORD)).status).toBe(302);
    return u;
  }
  const onboarding = async () =>
    (await findOrganization(t.app.db, orgId)).settings.onboarding as {
      steps: Record<string, { doneAt: string; doneBy: string | null }>;
      targetDates: Record<string, string>;
      completedAt: string | null;
      answers?: Record<string, unknown>;
    };

  it('starts on sign-up, connects QuickBooks from the wizard and follows the first sync', async () => {
    const owner = browser(t.web);
    const signup = await owner.postForm(
      '/signup',
      {
        firmName: 'Wizard Firm',
        email: OWNER,
        password: PASSWORD,
        timezone: 'UTC',
        country: 'US',
        currency: 'USD',
      },
      '/signup',
    );
    expect(signup.status).toBe(302);
    expect(signup.headers.location).toBe('/welcome');
    const [u] = await t.app.db.select().from(users).where(eq(users.email, OWNER));
    const [row] = await queryRows<{ id: string }>(
      t.app.db,
      sql`select organization_id as id from memberships where user_id = ${u!.id}`,
    );
    orgId = row!.id;

    const welcome = await owner.agent.get('/welcome');
    expect(welcome.status).toBe(302);
    expect(welcome.headers.location).toBe('/welcome/connect');
    const state = await onboarding();
    // targets: start + 0/0/1/2/3/5/7 days
    expect(state.targetDates).toEqual({
      connect: '2026-11-20',
      firstSync: '2026-11-20',
      questionnaire: '2026-11-21',
      branding: '2026-11-22',
      pilot: '2026-11-23',
      preview: '2026-11-25',
      goLive: '2026-11-27',
    });
    const page = await owner.agent.get('/welcome/connect');
    expect(page.text).toContain('Connect to QuickBooks');
    expect(page.text).toContain('Target <time datetime="2026-11-27">2026-11-27</time> · Owner');
    expect(page.text).toContain('aria-current="step">Connect your books');

    const start = await owner.postForm('/welcome/connect/quickbooks', {}, '/welcome/connect');
    expect(start.status).toBe(302);
    expect(start.headers.location).toContain(qb.url);
    const back = await owner.agent.get(await consent(start.headers.location!));
    expect(back.status).toBe(302);
    expect(back.headers.location).toBe('/welcome');
    await t.app.queue.drain(20_000);

    const next = await owner.agent.get('/welcome');
    expect(next.headers.location).toBe('/welcome/questionnaire');
    const s = await onboarding();
    expect(s.steps.connect).toMatchObject({ doneBy: null });
    expect(s.steps.firstSync).toMatchObject({ doneBy: null });
    const sync = await owner.agent.get('/welcome/first-sync');
    expect(sync.text).toMatch(/data-testid="sync-result">Last sync (succeeded|partial): \d+ customers/);
  });

  it('refuses a later step before the earlier ones, changing nothing', async () => {
    const owner = await signedIn(OWNER);
    const custs = await new OrgScope(t.app.db, orgId).select(customers);
    const res = await owner.postForm(
      '/welcome/pilot',
      { shown: custs[0]!.id, pilotCustomer: custs[0]!.id },
      '/welcome/pilot',
    );
    expect(res.status).toBe(302);
    const after = await owner.agent.get('/welcome');
    expect(after.headers.location).toBe('/welcome/questionnaire');
    const [c] = await t.app.db.select().from(customers).where(eq(customers.id, custs[0]!.id));
    expect(c!.pilot).toBe(false);
    expect((await onboarding()).steps.pilot).toBeUndefined();
    const locked = await owner.agent.get('/welcome/go-live');
    expect(locked.text).toContain('first: this step uses what it sets up');
  });

  it('maps the questionnaire to a starting sequence and makes it the default; bad answers change nothing', async () => {
    const owner = await signedIn(OWNER);
    const bad = await owner.postForm(
      '/welcome/questionnaire',
      { termsDays: 'thirty', whoChases: 'clerk', firmness: 'firm' },
      '/welcome/questionnaire',
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('usual payment terms must be a number of days');
    const missing = await owner.postForm(
      '/welcome/questionnaire',
      { termsDays: '30' },
      '/welcome/questionnaire',
    );
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('choose who chases late payments today');
    expect((await onboarding()).steps.questionnaire).toBeUndefined();

    const ok = await owner.postForm(
      '/welcome/questionnaire',
      {
        termsDays: '30',
        whoChases: 'nobody',
        channels: ['email', 'phone'] as unknown as string,
        firmness: 'firm',
      },
      '/welcome/questionnaire',
    );
    expect(ok.status).toBe(302);
    const seqs = await listSequences(new OrgScope(t.app.db, orgId));
    expect(seqs.find((s) => s.isDefault)!.key).toBe('standard');
    const state = await onboarding();
    expect(state.answers).toEqual({
      termsDays: 30,
      whoChases: 'nobody',
      channels: ['email', 'phone'],
      firmness: 'firm',
      sequence: 'standard',
    });
    const [u] = await t.app.db.select().from(users).where(eq(users.email, OWNER));
    expect(state.steps.questionnaire!.doneBy).toBe(u!.id);
  });

  it('is resumed at the first unfinished step after leaving, once per session', async () => {
    const owner = await signedIn(OWNER);
    const home = await owner.agent.get('/');
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/welcome');
    expect((await owner.agent.get('/welcome')).headers.location).toBe('/welcome/branding');
    const again = await owner.agent.get('/');
    expect(again.status).toBe(200);
    const branding = await owner.agent.get('/welcome/branding');
    expect(branding.text).toMatch(
      /<span class="tick" aria-hidden="true">✓<\/span>\s*<a href="\/welcome\/questionnaire"/,
    );
    expect(branding.text).toContain('Done 2026-11-20 by owner@wizard-firm.test');
  });

  it('saves branding and sender (a bad colour is refused), then a pilot from the suggestions', async () => {
    const owner = await signedIn(OWNER);
    const bad = await owner.postForm(
      '/welcome/branding',
      { color: 'blue', senderName: 'AR' },
      '/welcome/branding',
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Colour must be a colour such as #1a73e8');
    expect((await onboarding()).steps.branding).toBeUndefined();
    const ok = await owner.postForm(
      '/welcome/branding',
      { color: '#112233', senderName: 'Wizard AR', replyTo: 'ar@wizard.example' },
      '/welcome/branding',
    );
    expect(ok.status).toBe(302);
    expect((await findOrganization(t.app.db, orgId)).branding).toMatchObject({
      color: '#112233',
      senderName: 'Wizard AR',
    });

    const page = await owner.agent.get('/welcome/pilot');
    const suggested = [...page.text.matchAll(/name="pilotCustomer" value="([^"]+)" checked/g)].map(
      (m) => m[1]!,
    );
    expect(suggested).toHaveLength(5);
    const res = await owner.postForm(
      '/welcome/pilot',
      { shown: suggested as unknown as string, pilotCustomer: suggested.slice(0, 3) as unknown as string },
      '/welcome/pilot',
    );
    expect(res.status).toBe(302);
    const pilots = await new OrgScope(t.app.db, orgId).select(customers, eq(customers.pilot, true));
    expect(pilots.map((c) => c.id).sort()).toEqual(suggested.slice(0, 3).sort());
    expect((await findOrganization(t.app.db, orgId)).settings.pilot).toEqual({ active: true, tags: [] });
  });

  it('previews the first two weeks per day without sending anything', async () => {
    const owner = await signedIn(OWNER);
    const page = await owner.agent.get('/welcome/preview');
    expect(page.status).toBe(200);
    const total = Number(/data-testid="preview-total">(\d+)</.exec(page.text)![1]);
    const live = Number(/data-testid="preview-live">(\d+)</.exec(page.text)![1]);
    expect(total).toBeGreaterThan(0);
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThan(total);
    expect(page.text).toContain('<time datetime="2026-11-20">2026-11-20</time>');
    expect(page.text).toMatch(/standard \/ [a-z0-9-]+<\/td><td>e-mail<\/td><td>live \(pilot\)/);
    const scope = new OrgScope(t.app.db, orgId);
    expect(await scope.select(messages)).toHaveLength(0);
    expect(await scope.select(tasks)).toHaveLength(0);
    expect(await t.app.db.select().from(emails)).toHaveLength(0);
    expect((await owner.postForm('/welcome/preview', {}, '/welcome/preview')).status).toBe(302);
    expect((await onboarding()).steps.preview).toBeDefined();
  });

  it('goes live only when confirmed: automation live with the pilot, audited, wizard complete', async () => {
    const owner = await signedIn(OWNER);
    const page = await owner.agent.get('/welcome/go-live');
    expect(page.text).toMatch(/data-testid="live-actions">\d+ live action/);
    const unconfirmed = await owner.postForm('/welcome/go-live', {}, '/welcome/go-live');
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('tick the box to confirm');
    expect((await findOrganization(t.app.db, orgId)).automation).toBe('preview');
    const res = await owner.postForm('/welcome/go-live', { confirm: 'yes' }, '/welcome/go-live');
    expect(res.status).toBe(302);
    const org = await findOrganization(t.app.db, orgId);
    expect(org.automation).toBe('live');
    expect(org.settings.pilot).toEqual({ active: true, tags: [] });
    expect((await onboarding()).completedAt).toBe('2026-11-20T12:00:00.000Z');
    const actions = (await t.app.db.select().from(auditLog).where(eq(auditLog.organizationId, orgId))).map(
      (e) => e.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['automation.updated', 'onboarding.completed']));
    const [entry] = await t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, orgId), eq(auditLog.action, 'automation.updated')));
    expect(entry!.data).toMatchObject({ from: 'preview', to: 'live' });
    const done = await owner.agent.get('/welcome');
    expect(done.status).toBe(200);
    expect(done.text).toContain('You are live');
    // finished: the overview is no longer redirected
    const fresh = await signedIn(OWNER);
    expect((await fresh.agent.get('/')).status).toBe(200);
  });

  it('keeps viewers and clerks to what their role allows', async () => {
    const other = await seedFirm(t.app, 'Wizard Other');
    const viewer = await signedIn(other.users.viewer);
    const notStarted = await viewer.agent.get('/welcome');
    expect(notStarted.status).toBe(200);
    expect(notStarted.text).toContain('Setup has not started');
    expect((await findOrganization(t.app.db, other.id)).settings.onboarding).toBeUndefined();
    // a firm without a started wizard is never redirected
    expect((await viewer.agent.get('/')).status).toBe(200);

    await createUser(
      t.app.db,
      { organizationId: orgId, email: 'viewer@wizard-firm.test', role: 'viewer', password: PASSWORD },
      { type: 'system', id: null },
    );
    const v = await signedIn('viewer@wizard-firm.test');
    const before = await findOrganization(t.app.db, orgId);
    for (const path of [
      '/welcome/connect/quickbooks',
      '/welcome/first-sync',
      '/welcome/questionnaire',
      '/welcome/branding',
      '/welcome/pilot',
      '/welcome/preview',
      '/welcome/go-live',
    ]) {
      const res = await v.postForm(path, { confirm: 'yes', termsDays: '10', firmness: 'gentle' }, '/welcome');
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    const after = await findOrganization(t.app.db, orgId);
    expect(after.settings).toEqual(before.settings);
    const [o] = await t.app.db.select().from(organizations).where(eq(organizations.id, other.id));
    expect(o!.automation).toBe('preview');
  });
});
