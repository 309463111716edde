import { and, eq } from 'drizzle-orm';
import { type XeroEmulator } from '../../connectors/xero/emulator';
import { processWebhooksJob } from '../../jobs/definitions/processWebhooks';
import { connections, emails, invoices, organizations, webhookEvents } from '../../src/db/schema';
import { getLogger } from '../../src/logging/logger';
import { PermanentJobError } from '../../src/queue/types';
import { OrgScope } from '../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { runSync } from '../../src/services/sync/runSync';
import { createUser } from '../../src/services/users';
import { type TestApp } from '../support/app';
import { xeroFirm } from '../support/xeroFirm';
import { browser } from '../support/http';

const PASSWORD = 'long-password-for-xero-1';

/** The organisation removes Duely in Xero (Connected apps): Xero answers 403 for its tenant. */
describe('a Xero organisation disconnected from Xero’s side', () => {
  let emu: XeroEmulator;
  let t: TestApp;
  let orgId: string;
  let connectionId: string;

  beforeAll(async () => {
    ({ emu, t, orgId, connectionId } = await xeroFirm({
      name: 'Removed Ltd',
      company: { seed: 17, customers: 6, invoices: 20 },
    }));
    for (const [email, role] of [
      ['owner@removed.test', 'owner'],
      ['clerk@removed.test', 'clerk'],
    ] as const)
      await createUser(
        t.app.db,
        { organizationId: orgId, email, role, password: PASSWORD },
        { type: 'system', id: null },
      );
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  it('needs reconnecting: automation held, the owner mailed, the clerk told on the page', async () => {
    const ok = await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    expect(ok.status).toBe('succeeded');

    emu.identity.disconnectTenant(emu.tenantId);
    const s = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(s.status).toBe('failed');
    const [conn] = await t.app.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(conn!.status).toBe('needs_reconnect');
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, orgId));
    expect(org!.automationHeldReason).toMatch(/needs reconnecting/);

    await t.app.queue.drain(5000);
    const mails = await t.app.db
      .select()
      .from(emails)
      .where(and(eq(emails.organizationId, orgId), eq(emails.kind, 'connection.needs_reconnect')));
    expect(mails.map((m) => m.toAddress)).toEqual(['owner@removed.test']);
    expect(mails[0]!.subject).toContain('reconnect');

    const clerk = browser(t.web);
    await clerk.login('clerk@removed.test', PASSWORD);
    const page = await clerk.agent.get('/settings/connections');
    expect(page.text).toContain('Needs reconnecting');

    // the schedule does not hammer Xero while it waits for the firm
    emu.resetCallCounts();
    const again = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(again.status).toBe('failed');
    expect(emu.callCount()).toBe(0);
    await t.app.queue.drain(5000);
    const after = await t.app.db
      .select()
      .from(emails)
      .where(and(eq(emails.organizationId, orgId), eq(emails.kind, 'connection.needs_reconnect')));
    expect(after).toHaveLength(1);
  });

  it('a webhook job that meets the removed organisation marks it and stops retrying', async () => {
    // the firm reconnects, then removes the app in Xero again while a notification waits
    await addConnectionFromRefreshToken(
      t.app,
      new OrgScope(t.app.db, orgId),
      { platform: 'xero', externalTenantId: emu.tenantId, refreshToken: emu.issueRefreshToken() },
      { type: 'system', id: 'cli' },
    );
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, orgId));
    expect(org!.automationHeldReason).toBeNull();
    const [inv] = await t.app.db.select().from(invoices).where(eq(invoices.organizationId, orgId)).limit(1);
    await t.app.db.insert(webhookEvents).values({
      platform: 'xero',
      eventId: `${connectionId}:removed-org-event`,
      organizationId: orgId,
      connectionId,
      entity: 'invoices',
      externalId: inv!.externalId,
      operation: 'update',
    });
    emu.identity.disconnectTenant(emu.tenantId);
    await expect(
      processWebhooksJob.handler(
        { connectionId },
        { app: t.app, jobId: 'removed-org', attempt: 1, logger: getLogger('test') },
      ),
    ).rejects.toBeInstanceOf(PermanentJobError);
    const [conn] = await t.app.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(conn!.status).toBe('needs_reconnect');
    const [held] = await t.app.db.select().from(organizations).where(eq(organizations.id, orgId));
    expect(held!.automationHeldReason).toMatch(/needs reconnecting/);
  });
});
