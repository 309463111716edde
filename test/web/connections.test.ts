import { eq, sql } from 'drizzle-orm';
import request from 'supertest';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { createXeroConnector } from '../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../connectors/xero/emulator';
import { queryRows } from '../../src/db/client';
import { connections, invoices } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('connecting books from the Connections page', () => {
  let qb: QuickBooksEmulator;
  let xero: XeroEmulator;
  let t: TestApp;
  let firm: Firm;
  beforeAll(async () => {
    qb = await startQuickBooksEmulator({
      company: { seed: 3, customers: 10, invoices: 40, asOf: '2026-11-20' },
      clientId: 'qb',
      clientSecret: 'qbs',
    });
    xero = await startXeroEmulator({
      company: { seed: 4, customers: 8, invoices: 30, asOf: '2026-11-20' },
      clientId: 'xc',
      clientSecret: 'xs',
      tenants: 2,
    });
    t = await createTestApp({
      connectors: [
        createQuickBooksConnector({
          clientId: 'qb',
          clientSecret: 'qbs',
          environment: 'sandbox',
          baseUrl: qb.url,
        }),
        createXeroConnector({ clientId: 'xc', clientSecret: 'xs', baseUrl: xero.url }),
      ],
    });
    firm = await seedFirm(t.app, 'Lambda Ledgers');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([qb.close(), xero.close()]);
  });

  /** Follow the platform's consent redirect back to our callback, as a browser would. */
  async function consent(authorizeUrl: string): Promise<string> {
    const res = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    return back.pathname + back.search;
  }

  it('connects a QuickBooks company with a checked state, shows its name and starts the first sync', async () => {
    const admin = browser(t.web);
    await admin.login(firm.users.admin, PASSWORD);
    const page = await admin.agent.get('/settings/connections');
    expect(page.text).toContain('Connect to QuickBooks');
    expect(page.text).toContain('Connect to Xero');
    const start = await admin.postForm(
      '/settings/connections/quickbooks/connect',
      {},
      '/settings/connections',
    );
    expect(start.status).toBe(302);
    expect(start.headers.location).toContain(qb.url);
    const callback = await consent(start.headers.location!);
    const done = await admin.agent.get(callback);
    expect(done.status).toBe(302);
    await t.app.queue.drain(15_000);
    const [conn] = await t.app.db
      .select()
      .from(connections)
      .where(eq(connections.externalTenantId, qb.realmId));
    expect(conn).toMatchObject({ organizationId: firm.id, status: 'connected', displayName: qb.companyName });
    const after = await admin.agent.get('/settings/connections');
    expect(after.text).toContain(qb.companyName);
    expect(after.text).toContain('Sync now');
    expect(after.text).toMatch(/Disconnect/);
    const synced = await t.app.db.select().from(invoices).where(eq(invoices.connectionId, conn!.id));
    expect(synced.length).toBeGreaterThan(0);
  });

  it('refuses a callback whose state does not match, connecting nothing', async () => {
    const admin = browser(t.web);
    await admin.login(firm.users.admin, PASSWORD);
    const start = await admin.postForm(
      '/settings/connections/quickbooks/connect',
      {},
      '/settings/connections',
    );
    const callback = await consent(start.headers.location!);
    const forged = callback.replace(/state=[^&]+/, 'state=forged-state');
    const before = await t.app.db.select().from(connections);
    const res = await admin.agent.get(forged);
    expect(res.status).toBe(302);
    const page = await admin.agent.get('/settings/connections');
    expect(page.text).toContain('expired or did not start here');
    expect(await t.app.db.select().from(connections)).toHaveLength(before.length);
  });

  it('lets the clerk choose among the organisations of one Xero grant', async () => {
    const admin = browser(t.web);
    await admin.login(firm.users.admin, PASSWORD);
    const start = await admin.postForm('/settings/connections/xero/connect', {}, '/settings/connections');
    expect(start.headers.location).toContain(xero.url);
    const callback = await consent(start.headers.location!);
    const back = await admin.agent.get(callback);
    expect(back.headers.location).toBe('/connections/choose');
    const chooser = await admin.agent.get('/connections/choose');
    for (const id of xero.tenantIds) expect(chooser.text).toContain(id);
    const res = await admin.postForm(
      '/connections/choose',
      { tenant: xero.tenantIds[1]! },
      '/connections/choose',
    );
    expect(res.status).toBe(302);
    const rows = await t.app.db.select().from(connections).where(eq(connections.platform, 'xero'));
    expect(rows.map((r) => r.externalTenantId)).toEqual([xero.tenantIds[1]]);
    // the pending tokens were never in the session in clear
    const sessions = JSON.stringify(await queryRows(t.app.db, sql`select sess from sessions`));
    expect(sessions).not.toMatch(/"accessToken"/);
  });

  it('keeps clerks from connecting or disconnecting, and disconnects for an admin', async () => {
    const clerk = browser(t.web);
    await clerk.login(firm.users.clerk, PASSWORD);
    expect(
      (await clerk.postForm('/settings/connections/quickbooks/connect', {}, '/settings/connections')).status,
    ).toBe(403);
    const [conn] = await t.app.db
      .select()
      .from(connections)
      .where(eq(connections.externalTenantId, qb.realmId));
    expect(
      (await clerk.postForm(`/settings/connections/${conn!.id}/disconnect`, {}, '/settings/connections'))
        .status,
    ).toBe(403);
    const admin = browser(t.web);
    await admin.login(firm.users.admin, PASSWORD);
    expect(
      (await admin.postForm(`/settings/connections/${conn!.id}/disconnect`, {}, '/settings/connections'))
        .status,
    ).toBe(302);
    const [after] = await t.app.db.select().from(connections).where(eq(connections.id, conn!.id));
    expect(after).toMatchObject({ status: 'disconnected', accessTokenEnc: null, refreshTokenEnc: null });
  });

  it('signs a new firm up with Intuit: firm, owner and connected company in one step', async () => {
    const visitor = browser(t.web);
    const start = await visitor.postForm('/auth/quickbooks/signin', {}, '/login');
    expect(start.status).toBe(302);
    expect(start.headers.location).toContain('openid');
    const callback = await consent(start.headers.location!);
    const done = await visitor.agent.get(callback);
    expect(done.status).toBe(302);
    const home = await visitor.agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('owner@demo-firm.example');
    expect(home.text).toContain('(owner)');
    expect(home.text).toContain(qb.companyName);
    const [user] = await queryRows<{ id: string }>(
      t.app.db,
      sql`select id from users where email = 'owner@demo-firm.example'`,
    );
    expect(user).toBeDefined();
    // signing in again reuses the same firm and user
    const again = browser(t.web);
    const s2 = await again.postForm('/auth/quickbooks/signin', {}, '/login');
    await again.agent.get(await consent(s2.headers.location!));
    const users = await queryRows<{ n: number }>(
      t.app.db,
      sql`select count(*)::int as n from users where email = 'owner@demo-firm.example'`,
    );
    expect(users[0]!.n).toBe(1);
  });

  it('starts a sync from the API with 202 and a run id, 404 for another firm', async () => {
    const other = await seedFirm(t.app, 'Mu Money');
    const [conn] = await t.app.db.select().from(connections).where(eq(connections.platform, 'xero'));
    const ok = await request(t.web)
      .post(`/api/v1/connections/${conn!.id}/sync`)
      .set('Authorization', `Bearer ${firm.token}`)
      .send({});
    expect(ok.status).toBe(202);
    expect(ok.body).toEqual({ syncRunId: expect.any(String) });
    const denied = await request(t.web)
      .post(`/api/v1/connections/${conn!.id}/sync`)
      .set('Authorization', `Bearer ${other.token}`)
      .send({});
    expect(denied.status).toBe(404);
    await t.app.queue.drain(15_000);
    const runs = await request(t.web).get('/api/v1/sync-runs').set('Authorization', `Bearer ${firm.token}`);
    expect(runs.body.data.find((r: { id: string }) => r.id === ok.body.syncRunId)).toMatchObject({
      status: 'succeeded',
      trigger: 'api',
    });
    const otherRuns = await request(t.web)
      .get('/api/v1/sync-runs')
      .set('Authorization', `Bearer ${other.token}`);
    expect(otherRuns.body.data).toEqual([]);
  });
});
