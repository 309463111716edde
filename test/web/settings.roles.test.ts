import { eq } from 'drizzle-orm';
import { customers, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { STANDARD } from '../../src/domain/sequences/builtins';
import { importSequences, listSequences } from '../../src/services/sequences';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** Every page this area adds, and every form post (with a plausible body). */
const PAGES = [
  '/settings/sequences',
  '/settings/sequences/standard',
  '/settings/templates',
  '/settings/templates/overdue',
  '/settings/branding',
  '/settings/send-rules',
  '/settings/automation',
  '/settings/policies',
];
const POSTS: [string, Record<string, string>][] = [
  ['/settings/sequences', { key: 'x', name: 'X', from: 'gentle' }],
  ['/settings/sequences/tags', { 'rules[0][tag]': 'a', 'rules[0][sequenceKey]': 'firm' }],
  ['/settings/sequences/standard', { name: 'Changed', 'steps[0][key]': 'a', 'steps[0][offsetDays]': '1' }],
  ['/settings/sequences/standard/preview', { 'steps[0][key]': 'a', 'steps[0][offsetDays]': '1' }],
  ['/settings/templates/overdue', { subject: 'S', body: '<mj-text>x</mj-text>' }],
  ['/settings/templates/overdue/reset', {}],
  ['/settings/templates/overdue/preview', { subject: 'S', body: '<mj-text>x</mj-text>' }],
  ['/settings/branding', { color: '#000000' }],
  ['/settings/branding/preview', { color: '#000000' }],
  ['/settings/send-rules', { defaultHour: '9', minGapDays: '1', country: 'US', timezone: 'UTC' }],
  ['/settings/automation', { mode: 'off' }],
  ['/settings/policies', { graceDays: '1' }],
  ['/welcome/connect/quickbooks', {}],
  ['/welcome/first-sync', {}],
  ['/welcome/questionnaire', { termsDays: '30', whoChases: 'owner', firmness: 'firm' }],
  ['/welcome/branding', { color: '#000000' }],
  ['/welcome/pilot', {}],
  ['/welcome/preview', {}],
  ['/welcome/go-live', { confirm: 'yes' }],
];

describe('settings and wizard: roles and tenant isolation', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Roles Alpha');
    b = await seedFirm(t.app, 'Roles Beta');
    await importSequences(
      new OrgScope(t.app.db, b.id),
      { key: 'beta-private', name: 'Beta private', steps: STANDARD.steps },
      { type: 'system', id: null },
    );
    a.extra.seq = 'standard';
    b.extra.seq = 'beta-private';
    await t.app.db
      .update(organizations)
      .set({ branding: { senderName: 'Beta Secret Sender' } })
      .where(eq(organizations.id, b.id));
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const u = browser(t.web);
    expect((await u.login(email, PASSWORD)).status).toBe(302);
    return u;
  }

  it('lets a viewer see the dashboard and every settings page, and refuses every change with 403', async () => {
    const viewer = await signedIn(a.users.viewer);
    expect((await viewer.agent.get('/dashboard')).status).toBe(200);
    for (const page of PAGES) {
      const res = await viewer.agent.get(page);
      expect({ page, status: res.status }).toEqual({ page, status: 200 });
    }
    const before = await t.app.db.select().from(organizations).where(eq(organizations.id, a.id));
    const seqs = await listSequences(new OrgScope(t.app.db, a.id));
    for (const [path, form] of POSTS) {
      const res = await viewer.postForm(path, form, '/settings/sequences');
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    const after = await t.app.db.select().from(organizations).where(eq(organizations.id, a.id));
    expect(after).toEqual(before);
    expect(await listSequences(new OrgScope(t.app.db, a.id))).toEqual(seqs);
  });

  it('lets a clerk change sequences and templates but not the admin settings', async () => {
    const clerk = await signedIn(a.users.clerk);
    for (const path of [
      '/settings/branding',
      '/settings/send-rules',
      '/settings/automation',
      '/settings/policies',
    ]) {
      const form = POSTS.find(([p]) => p === path)![1];
      const res = await clerk.postForm(path, form, '/settings/sequences');
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    const tags = await clerk.postForm(
      '/settings/sequences/tags',
      { 'rules[0][tag]': 'a', 'rules[0][sequenceKey]': 'firm' },
      '/settings/sequences',
    );
    expect(tags.status).toBe(302);
  });

  it("passes the tenant-isolation check on every page that names a firm's record", async () => {
    await expectIsolation(t.web, a, b, {
      pages: [
        (f) => `/settings/sequences/${f.extra.seq}`,
        (f) => `/settings/sequences/${f.extra.seq}/preview?customerId=${f.customerId}`,
        (f) => `/settings/sequences/standard/preview?customerId=${f.customerId}`,
        (f) => `/settings/templates/overdue/preview?customerId=${f.customerId}`,
      ],
    });
  });

  it("never shows one firm's settings, customers or sequences on another's pages", async () => {
    const admin = await signedIn(a.users.admin);
    const pages = await Promise.all(
      [...PAGES, '/settings/automation?q=Roles', '/welcome/pilot?q=Roles', '/welcome/preview'].map((p) =>
        admin.agent.get(p),
      ),
    );
    for (const res of pages) {
      expect(res.text).not.toContain('Beta Secret Sender');
      expect(res.text).not.toContain('Roles Beta Customer');
      expect(res.text).not.toContain('beta-private');
    }
    const [bCustomer] = await t.app.db.select().from(customers).where(eq(customers.id, b.customerId));
    expect(bCustomer!.pilot).toBe(false);
  });
});
