import { eq } from 'drizzle-orm';
import { connections, syncRuns } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/**
 * Settings → Connections as the platforms' certification asks: the company's name, its status,
 * the last sync with its figures, Sync now, Disconnect, and Reconnect when it needs it.
 */
describe('connection settings page', () => {
  let t: TestApp;
  let f: Firm;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    f = await seedFirm(t.app, 'Conn Page');
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(
      connections,
      { lastSyncAt: new Date('2026-11-03T10:15:00Z') },
      eq(connections.id, f.connectionId),
    );
    await scope.insert(syncRuns, {
      connectionId: f.connectionId,
      mode: 'incremental',
      trigger: 'schedule',
      status: 'succeeded',
      customers: 12,
      invoices: 60,
      payments: 7,
      creditNotes: 2,
      apiCalls: 9,
      errors: [{ entity: 'invoices', externalId: '77', reason: 'no customer reference' }],
      startedAt: new Date('2026-11-03T10:14:00Z'),
      finishedAt: new Date('2026-11-03T10:15:00Z'),
    });
  });
  afterAll(() => t.close());

  const signedIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };
  const runs = () => t.app.db.select().from(syncRuns).where(eq(syncRuns.connectionId, f.connectionId));
  const setStatus = (status: 'connected' | 'needs_reconnect', statusReason: string | null = null) =>
    t.app.db.update(connections).set({ status, statusReason }).where(eq(connections.id, f.connectionId));

  it('shows the company, its status and the last sync with its figures and skipped records', async () => {
    const viewer = await signedIn(f.users.viewer);
    const page = await viewer.agent.get('/settings/connections');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Conn Page Books');
    expect(page.text).toContain('QuickBooks Online');
    expect(page.text).toMatch(/class="status status-connected">Connected</);
    expect(page.text).toContain('Last sync: 2026-11-03 10:15 UTC');
    expect(page.text).toContain(
      'succeeded: 12 customers, 60 invoices, 7 payments, 2 credit notes, 9 API calls',
    );
    expect(page.text).toContain('1 record skipped');
    expect(page.text).toContain('invoices 77: no customer reference');
    // a viewer reads but has no button
    expect(page.text).not.toContain('Sync now');
    expect(page.text).not.toContain('>Disconnect<');
  });

  it('a clerk gets Sync now (starting a run from the UI) but not Disconnect; a viewer gets 403', async () => {
    const viewer = await signedIn(f.users.viewer);
    const before = (await runs()).length;
    expect(
      (await viewer.postForm(`/settings/connections/${f.connectionId}/sync`, {}, '/settings/connections'))
        .status,
    ).toBe(403);
    expect(await runs()).toHaveLength(before);

    const clerk = await signedIn(f.users.clerk);
    const page = await clerk.agent.get('/settings/connections');
    expect(page.text).toContain('Sync now');
    expect(page.text).not.toContain('>Disconnect<');
    const res = await clerk.postForm(
      `/settings/connections/${f.connectionId}/sync`,
      {},
      '/settings/connections',
    );
    expect(res.status).toBe(302);
    const after = await runs();
    expect(after).toHaveLength(before + 1);
    expect(after.filter((r) => r.trigger === 'ui')).toHaveLength(1);
    expect((await clerk.agent.get('/settings/connections')).text).toContain('Sync started.');
  });

  it('an admin gets Disconnect; a connection that needs reconnecting says why and offers Reconnect, not Sync now', async () => {
    const admin = await signedIn(f.users.admin);
    const page = await admin.agent.get('/settings/connections');
    expect(page.text).toMatch(/<button type="submit" class="secondary">Disconnect<\/button>/);
    expect(page.text).not.toContain('>Reconnect<');

    await setStatus('needs_reconnect', 'The refresh token was revoked in QuickBooks');
    const broken = await admin.agent.get('/settings/connections');
    expect(broken.text).toContain('Needs reconnecting');
    expect(broken.text).toContain('The refresh token was revoked in QuickBooks');
    expect(broken.text).toContain('action="/settings/connections/quickbooks/connect"');
    expect(broken.text).toMatch(/>Reconnect<\/button>/);
    expect(broken.text).not.toContain('Sync now');
    const before = (await runs()).length;
    await admin.postForm(`/settings/connections/${f.connectionId}/sync`, {}, '/settings/connections');
    expect(await runs()).toHaveLength(before);
    expect((await admin.agent.get('/settings/connections')).text).toContain(
      'Reconnect this company before syncing it.',
    );

    const clerk = await signedIn(f.users.clerk);
    expect((await clerk.agent.get('/settings/connections')).text).not.toMatch(/>Reconnect<\/button>/);
    await setStatus('connected');
  });
});
