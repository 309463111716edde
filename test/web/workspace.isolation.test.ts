import { eq } from 'drizzle-orm';
import { connections, promises, syncRuns } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/**
 * The tenant-isolation check for the workspace routes other files do not cover: the connection
 * settings (progress, Sync now, Disconnect) and the promise form. Firm A's members reach none of
 * firm B's records and change nothing of B's.
 */
describe('workspace routes: tenant isolation', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    a = await seedFirm(t.app, 'Isolation Alpha');
    b = await seedFirm(t.app, 'Isolation Bravo');
  });
  afterAll(() => t.close());

  const signedIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };

  it('passes the isolation helper on the connection progress and promise form pages', async () => {
    await expectIsolation(t.web, a, b, {
      pages: [
        (f) => `/settings/connections/${f.connectionId}/progress.json`,
        (f) => `/promises/new?customerId=${f.customerId}`,
      ],
    });
  });

  it("answers 404 to Sync now and Disconnect on B's connection, starting and changing nothing", async () => {
    const admin = await signedIn(a.users.admin);
    const sync = await admin.postForm(
      `/settings/connections/${b.connectionId}/sync`,
      {},
      '/settings/connections',
    );
    expect(sync.status).toBe(404);
    const off = await admin.postForm(
      `/settings/connections/${b.connectionId}/disconnect`,
      {},
      '/settings/connections',
    );
    expect(off.status).toBe(404);
    expect(await t.app.db.select().from(syncRuns).where(eq(syncRuns.connectionId, b.connectionId))).toEqual(
      [],
    );
    const [conn] = await t.app.db.select().from(connections).where(eq(connections.id, b.connectionId));
    expect(conn!.status).toBe('connected');
    const page = await admin.agent.get('/settings/connections');
    expect(page.text).toContain('Isolation Alpha Books');
    expect(page.text).not.toContain('Isolation Bravo Books');
  });

  it("refuses a promise on B's customer and invoice from A's promise form, recording nothing", async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.postForm(
      '/promises',
      { customerId: b.customerId, invoiceIds: b.invoiceId, amount: '100.00', promisedDate: '2026-11-10' },
      '/promises',
    );
    expect([400, 404]).toContain(res.status);
    expect(res.text).not.toContain('Isolation Bravo Customer');
    expect(await t.app.db.select().from(promises).where(eq(promises.customerId, b.customerId))).toEqual([]);
  });
});
