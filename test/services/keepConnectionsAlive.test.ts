import { eq } from 'drizzle-orm';
import { keepConnectionsAliveJob } from '../../jobs/definitions/keepConnectionsAlive';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { createXeroConnector } from '../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../connectors/xero/emulator';
import { connections, emails, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { getLogger } from '../../src/logging/logger';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { openTokens } from '../../src/services/connections/tokenStore';
import { createOrganization } from '../../src/services/organizations';
import { createUser } from '../../src/services/users';
import { createTestApp, type TestApp } from '../support/app';

const HOUR = 3600_000;

/** The daily job that keeps quiet connections inside the refresh-token window (QuickBooks 100 days, Xero 60). */
describe('daily refresh of idle connections', () => {
  let qb: QuickBooksEmulator;
  let xero: XeroEmulator;
  let t: TestApp;
  let qbOrg: string;
  let xeroOrg: string;
  let qbConn: string;
  let xeroConn: string;

  const runJob = () =>
    keepConnectionsAliveJob.handler(
      {},
      { app: t.app, jobId: 'keepalive-test', attempt: 1, logger: getLogger('test') },
    );
  const row = async (id: string) =>
    (await t.app.db.select().from(connections).where(eq(connections.id, id)))[0]!;
  /** Make a connection look untouched for `hours`: last refreshed then, access token long expired. */
  const idleFor = (id: string, hours: number) =>
    t.app.db
      .update(connections)
      .set({
        tokenRefreshedAt: new Date(Date.now() - hours * HOUR),
        accessTokenExpiresAt: new Date(Date.now() - (hours - 1) * HOUR),
      })
      .where(eq(connections.id, id));

  beforeAll(async () => {
    qb = await startQuickBooksEmulator({
      company: { seed: 5, customers: 5, invoices: 10, asOf: '2026-11-20' },
      clientId: 'qb-client',
      clientSecret: 'qb-secret',
    });
    xero = await startXeroEmulator({
      company: { seed: 6, customers: 5, invoices: 10, asOf: '2026-11-20' },
      clientId: 'x-id',
      clientSecret: 'x-secret',
    });
    t = await createTestApp({
      connectors: [
        createQuickBooksConnector({
          clientId: 'qb-client',
          clientSecret: 'qb-secret',
          environment: 'sandbox',
          baseUrl: qb.url,
          retry: { rateLimitWaitMs: 50, baseDelayMs: 5 },
        }),
        createXeroConnector({ clientId: 'x-id', clientSecret: 'x-secret', baseUrl: xero.url }),
      ],
    });
    qbOrg = (await createOrganization(t.app.db, { name: 'Quiet Books LLP' })).id;
    xeroOrg = (await createOrganization(t.app.db, { name: 'Quiet Xero Ltd' })).id;
    await createUser(
      t.app.db,
      { organizationId: qbOrg, email: 'owner@quiet.test', role: 'owner', password: 'long-password-1' },
      { type: 'system', id: null },
    );
    qbConn = (
      await addConnectionFromRefreshToken(
        t.app,
        new OrgScope(t.app.db, qbOrg),
        { platform: 'quickbooks', externalTenantId: qb.realmId, refreshToken: qb.issueRefreshToken() },
        { type: 'system', id: 'cli' },
      )
    ).id;
    xeroConn = (
      await addConnectionFromRefreshToken(
        t.app,
        new OrgScope(t.app.db, xeroOrg),
        { platform: 'xero', externalTenantId: xero.tenantId, refreshToken: xero.issueRefreshToken() },
        { type: 'system', id: 'cli' },
      )
    ).id;
  });
  afterAll(async () => {
    await t.close();
    await qb.close();
    await xero.close();
  });

  it('leaves connections refreshed within the day alone', async () => {
    const before = qb.stats().tokenRequests.refresh_token;
    const [q, x] = [await row(qbConn), await row(xeroConn)];
    await runJob();
    expect(qb.stats().tokenRequests.refresh_token).toBe(before);
    expect((await row(qbConn)).tokenRefreshedAt).toEqual(q.tokenRefreshedAt);
    expect((await row(xeroConn)).tokenRefreshedAt).toEqual(x.tokenRefreshedAt);
  });

  it('refreshes idle connections of both platforms and keeps the rotated refresh tokens', async () => {
    await idleFor(qbConn, 30);
    await idleFor(xeroConn, 48);
    const oldQb = openTokens(t.app.keyRing, await row(qbConn)).refreshToken;
    const oldXero = openTokens(t.app.keyRing, await row(xeroConn)).refreshToken;
    await runJob();
    for (const [id, old] of [
      [qbConn, oldQb],
      [xeroConn, oldXero],
    ] as const) {
      const r = await row(id);
      expect(r.status).toBe('connected');
      expect(Date.now() - r.tokenRefreshedAt!.getTime()).toBeLessThan(60_000);
      expect(r.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
      const tokens = openTokens(t.app.keyRing, r);
      expect(tokens.refreshToken).toBeTruthy();
      expect(tokens.refreshToken).not.toBe(old);
    }
  });

  it('a grant revoked while idle: needs reconnecting, automation held, owner told; the others still refreshed', async () => {
    qb.revokeAll();
    await idleFor(qbConn, 30);
    await idleFor(xeroConn, 30);
    await runJob();
    const q = await row(qbConn);
    expect(q.status).toBe('needs_reconnect');
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, qbOrg));
    expect(org!.automationHeldReason).toMatch(/needs reconnecting/);
    const [other] = await t.app.db.select().from(organizations).where(eq(organizations.id, xeroOrg));
    expect(other!.automationHeldReason).toBeNull();
    await t.app.queue.drain(5000);
    const mails = await t.app.db.select().from(emails).where(eq(emails.organizationId, qbOrg));
    expect(mails.filter((m) => m.kind === 'connection.needs_reconnect').map((m) => m.toAddress)).toEqual([
      'owner@quiet.test',
    ]);
    const x = await row(xeroConn);
    expect(x.status).toBe('connected');
    expect(Date.now() - x.tokenRefreshedAt!.getTime()).toBeLessThan(60_000);
    // the next day's run does not try the dead grant again, nor mail again
    const before = qb.stats().tokenRequests.refresh_token;
    await runJob();
    expect(qb.stats().tokenRequests.refresh_token).toBe(before);
    await t.app.queue.drain(5000);
    expect(
      (await t.app.db.select().from(emails).where(eq(emails.organizationId, qbOrg))).filter(
        (m) => m.kind === 'connection.needs_reconnect',
      ),
    ).toHaveLength(1);
  });

  it('reconnecting the company releases the hold', async () => {
    const again = await addConnectionFromRefreshToken(
      t.app,
      new OrgScope(t.app.db, qbOrg),
      { platform: 'quickbooks', externalTenantId: qb.realmId, refreshToken: qb.issueRefreshToken() },
      { type: 'system', id: 'cli' },
    );
    expect(again).toMatchObject({ id: qbConn, reconnected: true });
    expect((await row(qbConn)).status).toBe('connected');
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, qbOrg));
    expect(org!.automationHeldReason).toBeNull();
  });
});
