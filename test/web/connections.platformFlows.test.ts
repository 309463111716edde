import { and, eq, sql } from 'drizzle-orm';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { createXeroConnector } from '../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../connectors/xero/emulator';
import { queryRows } from '../../src/db/client';
import { connections, emails, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** "Sign up with Xero" and Intuit's disconnect landing page. */
describe('platform sign-up and disconnect landing', () => {
  let qb: QuickBooksEmulator;
  let xero: XeroEmulator;
  let t: TestApp;
  let firm: Firm;
  let other: Firm;
  let qbConn: string;

  beforeAll(async () => {
    qb = await startQuickBooksEmulator({
      company: { seed: 8, customers: 6, invoices: 20, asOf: '2026-11-20' },
      clientId: 'qb',
      clientSecret: 'qbs',
    });
    xero = await startXeroEmulator({
      company: { seed: 9, customers: 6, invoices: 20, asOf: '2026-11-20' },
      clientId: 'xc',
      clientSecret: 'xs',
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
    firm = await seedFirm(t.app, 'Nu Numbers');
    other = await seedFirm(t.app, 'Xi Accounts');
    qbConn = (
      await addConnectionFromRefreshToken(
        t.app,
        new OrgScope(t.app.db, firm.id),
        { platform: 'quickbooks', externalTenantId: qb.realmId, refreshToken: qb.issueRefreshToken() },
        { type: 'system', id: 'cli' },
      )
    ).id;
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([qb.close(), xero.close()]);
  });

  async function consent(authorizeUrl: string): Promise<string> {
    const res = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    return back.pathname + back.search;
  }
  const qbRow = async () => (await t.app.db.select().from(connections).where(eq(connections.id, qbConn)))[0]!;
  const landingFor = (realmId: string) =>
    `/connections/quickbooks/disconnected?realmId=${encodeURIComponent(realmId)}`;

  it('offers both platform sign-ins on the sign-in page', async () => {
    const page = await browser(t.web).agent.get('/login');
    expect(page.text).toContain('Sign in with Intuit');
    expect(page.text).toContain('Sign up with Xero');
  });

  it('starts the sign-in from the app store launch URL (a GET), and from nowhere for an unknown platform', async () => {
    const visitor = browser(t.web);
    const start = await visitor.agent.get('/auth/quickbooks/signin');
    expect(start.status).toBe(302);
    expect(start.headers.location).toContain(qb.url);
    expect(new URL(start.headers.location!).searchParams.get('scope')).toContain('openid');
    expect(new URL(start.headers.location!).searchParams.get('state')).toBeTruthy();
    expect((await visitor.agent.get('/auth/freshbooks/signin')).status).toBe(404);
  });

  it('signs a new firm up with Xero: firm, owner and connected organisation in one step', async () => {
    const visitor = browser(t.web);
    const start = await visitor.postForm('/auth/xero/signin', {}, '/login');
    expect(start.status).toBe(302);
    expect(start.headers.location).toContain(xero.url);
    expect(start.headers.location).toContain('openid');
    const done = await visitor.agent.get(await consent(start.headers.location!));
    expect(done.status).toBe(302);
    const home = await visitor.agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('owner@demo-firm.example');
    expect(home.text).toContain('(owner)');
    const [conn] = await t.app.db
      .select()
      .from(connections)
      .where(and(eq(connections.platform, 'xero'), eq(connections.externalTenantId, xero.tenantId)));
    expect(conn).toMatchObject({ status: 'connected', displayName: xero.books().name });
    const [org] = await t.app.db
      .select()
      .from(organizations)
      .where(eq(organizations.id, conn!.organizationId));
    expect(org!.id).not.toBe(firm.id);
    const owners = await queryRows<{ role: string }>(
      t.app.db,
      sql`select m.role from memberships m join users u on u.id = m.user_id
           where u.email = 'owner@demo-firm.example' and m.organization_id = ${conn!.organizationId}`,
    );
    expect(owners.map((o) => o.role)).toEqual(['owner']);
    // the first sync runs
    await t.app.queue.drain(15_000);
    const runs = await queryRows<{ status: string }>(
      t.app.db,
      sql`select status from sync_runs where connection_id = ${conn!.id}`,
    );
    expect(runs.map((r) => r.status)).toContain('succeeded');
  });

  it('signs an existing clerk in with Intuit without letting them connect books', async () => {
    await t.app.db.execute(
      sql`update memberships set role = 'clerk'
           where user_id = (select id from users where email = 'owner@demo-firm.example')`,
    );
    const [member] = await queryRows<{ organization_id: string }>(
      t.app.db,
      sql`select m.organization_id from memberships m join users u on u.id = m.user_id
           where u.email = 'owner@demo-firm.example'`,
    );
    const clerk = browser(t.web);
    const start = await clerk.postForm('/auth/quickbooks/signin', {}, '/login');
    const done = await clerk.agent.get(await consent(start.headers.location!));
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/');
    const home = await clerk.agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('owner@demo-firm.example');
    const theirs = await t.app.db
      .select()
      .from(connections)
      .where(
        and(eq(connections.organizationId, member!.organization_id), eq(connections.platform, 'quickbooks')),
      );
    expect(theirs).toEqual([]);
  });

  it('a visitor who is not signed in sees the landing page and nothing changes', async () => {
    const res = await browser(t.web).agent.get(landingFor(qb.realmId));
    expect(res.status).toBe(200);
    expect(res.text).toContain('disconnected from QuickBooks');
    expect((await qbRow()).status).toBe('connected');
  });

  it('keeps a company connected while QuickBooks still honours the grant (a link, not a disconnect)', async () => {
    const admin = browser(t.web);
    await admin.login(firm.users.admin, PASSWORD);
    const res = await admin.agent.get(landingFor(qb.realmId));
    expect(res.status).toBe(200);
    expect(res.text).toContain('still connected');
    const row = await qbRow();
    expect(row.status).toBe('connected');
    expect(row.refreshTokenEnc).not.toBeNull();
  });

  it('disconnects the firm’s company once QuickBooks has dropped the grant, holding nothing and mailing nobody', async () => {
    qb.revokeAll();
    // another firm's member cannot touch it
    const stranger = browser(t.web);
    await stranger.login(other.users.admin, PASSWORD);
    await stranger.agent.get(landingFor(qb.realmId));
    expect((await qbRow()).status).toBe('connected');

    const admin = browser(t.web);
    await admin.login(firm.users.admin, PASSWORD);
    const res = await admin.agent.get(landingFor(qb.realmId));
    expect(res.status).toBe(200);
    expect(res.text).toContain('disconnected from QuickBooks');
    expect(await qbRow()).toMatchObject({
      status: 'disconnected',
      accessTokenEnc: null,
      refreshTokenEnc: null,
    });
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, firm.id));
    expect(org!.automationHeldReason).toBeNull();
    const mails = await t.app.db
      .select()
      .from(emails)
      .where(and(eq(emails.organizationId, firm.id), eq(emails.kind, 'connection.needs_reconnect')));
    expect(mails).toEqual([]);
    const page = await admin.agent.get('/settings/connections');
    expect(page.text).toContain('Connect to QuickBooks');
  });
});
