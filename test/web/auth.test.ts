import request from 'supertest';
import { findOrganization } from '../../src/services/organizations';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('clerk authentication', () => {
  let t: TestApp;
  let firm: Firm;
  beforeAll(async () => {
    t = await createTestApp({ web: { sessionTtlMs: 1500 } });
    firm = await seedFirm(t.app, 'Gamma Group');
  });
  afterAll(() => t.close());

  it('signs in with the right password and reaches the overview', async () => {
    const b = browser(t.web);
    const res = await b.login(firm.users.clerk, PASSWORD);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const home = await b.agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Gamma Group');
  });

  it('refuses a wrong password with a clear message and no session', async () => {
    const b = browser(t.web);
    const res = await b.login(firm.users.admin, 'not-the-password');
    expect(res.status).toBe(401);
    expect(res.text).toContain('That e-mail and password do not match.');
    const home = await b.agent.get('/');
    expect(home.status).toBe(302);
    expect(home.headers.location).toMatch(/^\/login/);
  });

  it('throttles repeated failures, even when the right password finally comes', async () => {
    const other = await seedFirm(t.app, 'Throttled Traders');
    const b = browser(t.web);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await b.login(other.users.owner, 'wrong-password-' + i)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const right = await b.login(other.users.owner, PASSWORD);
    expect(right.status).toBe(429);
    expect(right.text).toMatch(/Too many failed attempts\. Try again in 15 minute/);
    // another account from the same place is not locked out
    expect((await b.login(other.users.clerk, PASSWORD)).status).toBe(302);
  });

  it('rejects a form posted without its CSRF token and changes nothing', async () => {
    const b = browser(t.web);
    await b.login(firm.users.owner, PASSWORD);
    const res = await b.agent.post('/settings/organization').type('form').send({ name: 'Hijacked' });
    expect(res.status).toBe(403);
    const page = await b.agent.get('/settings/organization');
    expect(page.text).toContain('Gamma Group');
    expect(page.text).not.toContain('Hijacked');
  });

  it('rejects a login form without a CSRF token', async () => {
    const res = await request(t.web)
      .post('/login')
      .type('form')
      .send({ email: firm.users.owner, password: PASSWORD });
    expect(res.status).toBe(403);
  });

  it('keeps roles below admin out of admin routes', async () => {
    for (const role of ['viewer', 'clerk'] as const) {
      const v = browser(t.web);
      await v.login(firm.users[role], PASSWORD);
      expect((await v.agent.get('/settings/tokens')).status).toBe(403);
      expect((await v.agent.get('/settings/audit')).status).toBe(403);
      const res = await v.postForm(
        '/settings/organization',
        { name: `${role} was here`, automation: 'live' },
        '/settings/organization',
      );
      expect(res.status).toBe(403);
    }
    const org = await findOrganization(t.app.db, firm.id);
    expect(org.name).toBe('Gamma Group');
    expect(org.automation).toBe('preview');
  });

  it('expires an idle session', async () => {
    const b = browser(t.web);
    await b.login(firm.users.admin, PASSWORD);
    expect((await b.agent.get('/')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const res = await b.agent.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('signs up a new firm with its owner, and rejects a bad sign-up with the reason', async () => {
    const b = browser(t.web);
    const bad = await b.postForm(
      '/signup',
      { firmName: 'Delta', email: 'not-an-email', password: 'long-enough-pw' },
      '/signup',
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('must be an e-mail address');
    const ok = await b.postForm(
      '/signup',
      {
        firmName: 'Delta Debtors',
        email: 'owner@delta.test',
        password: 'long-enough-pw',
        timezone: 'Europe/Berlin',
        country: 'DE',
        currency: 'EUR',
      },
      '/signup',
    );
    expect(ok.status).toBe(302);
    const home = await b.agent.get('/');
    expect(home.text).toContain('Delta Debtors');
    expect(home.text).toContain('(owner)');
  });

  it('signs out', async () => {
    const b = browser(t.web);
    await b.login(firm.users.owner, PASSWORD);
    const out = await b.postForm('/logout', {}, '/');
    expect(out.status).toBe(302);
    expect((await b.agent.get('/')).status).toBe(302);
  });
});
