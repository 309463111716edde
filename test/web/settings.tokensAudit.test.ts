import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { apiTokens, auditLog } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** Settings → API tokens and Settings → Audit log (admin and above). */
describe('API tokens page and audit log viewer', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    a = await seedFirm(t.app, 'Ledger Alpha');
    b = await seedFirm(t.app, 'Ledger Bravo');
  });
  afterAll(() => t.close());

  const signedIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };
  const tokensOf = (f: Firm) => new OrgScope(t.app.db, f.id).select(apiTokens);
  const rowsOf = (html: string) => [...html.matchAll(/<tr data-action="([^"]+)">/g)].map((m) => m[1]);

  it('creates a token shown once, usable on the API, listed by its prefix only, then revoked', async () => {
    const admin = await signedIn(a.users.admin);
    const created = await admin.postForm('/settings/tokens', { name: 'BI export' }, '/settings/tokens');
    expect(created.status).toBe(200);
    const token = /<code class="token">([^<]+)<\/code>/.exec(created.text)![1]!;
    expect(created.text).toContain('it is shown once');
    const api = await request(t.web).get('/api/v1/customers').set('Authorization', `Bearer ${token}`);
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.body)).toContain(a.customerId);
    expect(JSON.stringify(api.body)).not.toContain(b.customerId);

    const list = await admin.agent.get('/settings/tokens');
    expect(list.text).toContain('BI export');
    expect(list.text).not.toContain(token);
    const row = (await tokensOf(a)).find((x) => x.name === 'BI export')!;
    expect(list.text).toContain(`<code>${row.prefix}…</code>`);
    expect(token.startsWith(row.prefix)).toBe(true);

    const revoked = await admin.postForm(`/settings/tokens/${row.id}/revoke`, {}, '/settings/tokens');
    expect(revoked.status).toBe(302);
    const after = await request(t.web).get('/api/v1/customers').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    // the audit log names the token, never its secret
    const entries = await t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, a.id), eq(auditLog.subjectId, row.id)));
    expect(entries.map((e) => e.action).sort()).toEqual(['api_token.created', 'api_token.revoked']);
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it('refuses a token without a name with a message, creating nothing', async () => {
    const admin = await signedIn(a.users.admin);
    const before = (await tokensOf(a)).length;
    const res = await admin.postForm('/settings/tokens', { name: '  ' }, '/settings/tokens');
    expect(res.status).toBe(302);
    expect((await admin.agent.get('/settings/tokens')).text).toMatch(/class="flash flash-error"/);
    expect(await tokensOf(a)).toHaveLength(before);
  });

  it('viewers and clerks see neither page and create nothing (403)', async () => {
    const before = (await tokensOf(a)).length;
    for (const role of ['viewer', 'clerk'] as const) {
      const u = await signedIn(a.users[role]);
      expect((await u.agent.get('/settings/tokens')).status).toBe(403);
      expect((await u.agent.get('/settings/audit')).status).toBe(403);
      expect((await u.postForm('/settings/tokens', { name: 'sneaky' }, '/dashboard')).status).toBe(403);
    }
    expect(await tokensOf(a)).toHaveLength(before);
  });

  it('shows the firm’s own entries newest first with who acted, filtered by action', async () => {
    const bAdmin = await signedIn(b.users.admin);
    await bAdmin.postForm('/settings/tokens', { name: 'bravo-private-token' }, '/settings/tokens');

    const admin = await signedIn(a.users.admin);
    const page = await admin.agent.get('/settings/audit');
    expect(page.status).toBe(200);
    const actions = rowsOf(page.text);
    expect(actions.slice(0, 2)).toEqual(['api_token.revoked', 'api_token.created']);
    expect(page.text).toContain(`<td>${a.users.admin}</td>`);
    expect(page.text).toContain('BI export');
    expect(page.text).not.toContain('bravo-private-token');
    expect(page.text).toContain('<option value="api_token.revoked"');

    const filtered = await admin.agent.get('/settings/audit?action=api_token.revoked');
    expect(rowsOf(filtered.text)).toEqual(['api_token.revoked']);
    const none = await admin.agent.get('/settings/audit?action=no.such.action');
    expect(rowsOf(none.text)).toEqual([]);
    expect(none.text).toContain('No entry for this action.');
  });

  it('pages through older entries without repeating or skipping one; a forged cursor is a 400', async () => {
    const scope = new OrgScope(t.app.db, a.id);
    const base = Date.parse('2026-10-01T00:00:00Z');
    await scope.insert(
      auditLog,
      Array.from({ length: 130 }, (_, i) => ({
        actorType: 'system' as const,
        actorId: null,
        action: 'test.bulk',
        data: { n: i },
        createdAt: new Date(base + Math.floor(i / 2) * 1000), // pairs share a timestamp
      })),
    );
    const admin = await signedIn(a.users.admin);
    const first = await admin.agent.get('/settings/audit?action=test.bulk');
    const ns = (html: string) => [...html.matchAll(/\{&#34;n&#34;:(\d+)\}/g)].map((m) => Number(m[1]));
    const one = ns(first.text);
    expect(one).toHaveLength(100);
    const next = /<a rel="next" href="([^"]+)">Older entries<\/a>/
      .exec(first.text)![1]!
      .replace(/&amp;/g, '&');
    expect(next).toContain('action=test.bulk');
    const second = await admin.agent.get(next);
    expect(second.status).toBe(200);
    const two = ns(second.text);
    expect(two).toHaveLength(30);
    expect(new Set([...one, ...two]).size).toBe(130);
    expect(second.text).not.toContain('Older entries');
    expect(second.text).toContain('Newest entries');

    const bad = await admin.agent.get('/settings/audit?before=not-a-cursor');
    expect(bad.status).toBe(400);
  });
});
