/**
 * The Xero connector inside a whole Duely (database, queue, web) against the emulator:
 * connect by refresh token, token refresh single-flight and lost-response recovery, the
 * `/webhooks/xero` route (intent-to-receive, signed events applied through the queue), and a
 * grant revoked in Xero turning the connection to needs_reconnect.
 */
import { and, eq } from 'drizzle-orm';
import nock from 'nock';

import { createXeroConnector } from '../../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../../connectors/xero/emulator';
import { connections, invoices } from '../../../src/db/schema';
import { OrgScope } from '../../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../../src/services/connections/lifecycle';
import { getAccessToken } from '../../../src/services/connections/tokenManager';
import { createOrganization } from '../../../src/services/organizations';
import { runSync } from '../../../src/services/sync/runSync';
import { createTestApp, type TestApp } from '../../support/app';

const COMPANY = { seed: 17, customers: 30, invoices: 150, asOf: '2026-11-20' };
const KEY = 'xero-webhook-key-for-tests';

describe('Xero inside Duely against the emulator', () => {
  let emu: XeroEmulator;
  let t: TestApp;
  let orgId: string;
  let connectionId: string;

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    emu = await startXeroEmulator({
      company: COMPANY,
      clientId: 'x-client',
      clientSecret: 'x-secret',
      webhookKey: KEY,
    });
    t = await createTestApp({
      env: { XERO_WEBHOOK_KEY: KEY },
      connectors: [
        createXeroConnector({
          clientId: 'x-client',
          clientSecret: 'x-secret',
          baseUrl: emu.url,
          retry: { baseDelayMs: 5 },
          identityTimeoutMs: 300,
        }),
      ],
    });
    orgId = (await createOrganization(t.app.db, { name: 'Xero Firm' })).id;
    const c = await addConnectionFromRefreshToken(
      t.app,
      new OrgScope(t.app.db, orgId),
      { platform: 'xero', externalTenantId: emu.tenantId, refreshToken: emu.issueRefreshToken() },
      { type: 'system', id: 'cli' },
    );
    connectionId = c.id;
    expect(c.displayName).toBe(emu.companyName);
    const s = await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    expect(s.status).toBe('succeeded');
  });
  afterAll(async () => {
    await t?.close();
    await emu?.close();
  });

  const expireAccess = () =>
    t.app.db
      .update(connections)
      .set({ accessTokenExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(connections.id, connectionId));

  it('refreshes once for many concurrent callers', async () => {
    await expireAccess();
    const issued = emu.identity.access.size;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => getAccessToken(t.app, connectionId)));
    expect(new Set(tokens).size).toBe(1);
    expect(emu.identity.access.size - issued).toBe(1);
  });

  it('recovers when Xero rotated the refresh token but the answer was lost', async () => {
    await expireAccess();
    emu.identity.holdTokenResponses = { count: 1, ms: 1_000 };
    const first = await getAccessToken(t.app, connectionId).catch((e: unknown) => e);
    // either the token manager retried with the previous token at once, or the next call does
    const token = typeof first === 'string' ? first : await getAccessToken(t.app, connectionId);
    expect(typeof token).toBe('string');
    expect(emu.identity.holdTokenResponses.count).toBe(0); // the lost answer did happen
    const [row] = await t.app.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(row!.status).toBe('connected');
    await expect(
      runSync(t.app, { organizationId: orgId, connectionId, mode: 'incremental', trigger: 'schedule' }),
    ).resolves.toMatchObject({
      status: 'succeeded',
    });
  });

  it('answers intent-to-receive on /webhooks/xero and applies signed events through the queue', async () => {
    const server = t.web.listen(0);
    try {
      const target = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/xero`;
      await expect(emu.intentToReceive(target)).resolves.toMatchObject({ passed: true });
      const [changed] = emu.changeInvoices(1);
      const res = await emu.deliverWebhook(target, [
        { resourceId: changed!, eventCategory: 'INVOICE', eventType: 'UPDATE' },
      ]);
      expect(res.status).toBe(200);
      const forged = await emu.deliverWebhook(
        target,
        [{ resourceId: changed!, eventCategory: 'INVOICE', eventType: 'UPDATE' }],
        {
          badSignature: true,
        },
      );
      expect(forged.status).toBe(401);
      await t.app.queue.drain(15_000);
      const [row] = await t.app.db
        .select()
        .from(invoices)
        .where(and(eq(invoices.organizationId, orgId), eq(invoices.externalId, changed!)));
      expect(row!.status).toBe('paid');
    } finally {
      server.close();
    }
  });

  it('turns a grant revoked in Xero into needs_reconnect', async () => {
    emu.identity.revokeAll();
    await expireAccess();
    const s = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(s.status).toBe('failed');
    const [row] = await t.app.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(row!.status).toBe('needs_reconnect');
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
