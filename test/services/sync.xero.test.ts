import type { Server } from 'node:http';
import { and, count, eq } from 'drizzle-orm';
import { type XeroEmulator } from '../../connectors/xero/emulator';
import { customers, invoices, webhookEvents } from '../../src/db/schema';
import { runSync } from '../../src/services/sync/runSync';
import { type TestApp } from '../support/app';
import { xeroFirm } from '../support/xeroFirm';

const KEY = 'xero-webhook-key-for-tests';

describe('sync service and webhooks against the Xero emulator', () => {
  let emu: XeroEmulator;
  let t: TestApp;
  let orgId: string;
  let connectionId: string;
  let base: string;
  let server: Server;

  beforeAll(async () => {
    ({ emu, t, orgId, connectionId } = await xeroFirm({
      name: 'Xero Firm',
      company: { seed: 21, customers: 30, invoices: 150 },
      webhookKey: KEY,
    }));
    server = t.web.listen(0);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.close();
    await t.close();
    await emu.close();
  });

  it('syncs receivables only (bills and drafts stay out) and then picks up changes incrementally', async () => {
    const full = await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    expect(full.status).toBe('succeeded');
    const n = async () =>
      (await t.app.db.select({ n: count() }).from(invoices).where(eq(invoices.organizationId, orgId)))[0]!.n;
    const before = await n();
    expect(before).toBe(full.invoices);
    expect(
      (await t.app.db.select({ n: count() }).from(customers).where(eq(customers.organizationId, orgId)))[0]!
        .n,
    ).toBeGreaterThan(0);
    const changed = emu.changeInvoices(3);
    const inc = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(inc.status).toBe('succeeded');
    expect(inc.invoices).toBeGreaterThanOrEqual(changed.length);
    expect(inc.invoices).toBeLessThan(full.invoices);
    expect(await n()).toBe(before);
  });

  it("answers Xero's intent-to-receive: 200 with an empty body when signed right, 401 when not", async () => {
    const r = await emu.intentToReceive(`${base}/webhooks/xero`);
    expect(r).toMatchObject({ passed: true, goodStatus: 200, badStatus: 401, goodBody: '' });
  });

  it('records a signed event once per delivery and applies it; a tampered one is refused with nothing recorded', async () => {
    const [inv] = await t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(1);
    const bad = await emu.deliverWebhook(
      `${base}/webhooks/xero`,
      [{ resourceId: inv!.externalId, eventCategory: 'INVOICE', eventType: 'UPDATE' }],
      { badSignature: true },
    );
    expect(bad.status).toBe(401);
    expect(await t.app.db.select().from(webhookEvents)).toHaveLength(0);
    emu.voidInvoice(inv!.externalId);
    const ok = await emu.deliverWebhook(`${base}/webhooks/xero`, [
      { resourceId: inv!.externalId, eventCategory: 'INVOICE', eventType: 'UPDATE' },
    ]);
    expect(ok.status).toBe(200);
    await t.app.queue.drain(15_000);
    const [after] = await t.app.db.select().from(invoices).where(eq(invoices.id, inv!.id));
    expect(after!.status).toBe('voided');
    const events = await t.app.db.select().from(webhookEvents);
    expect(events).toHaveLength(1);
    expect(events[0]!.processedAt).not.toBeNull();
  });
});
