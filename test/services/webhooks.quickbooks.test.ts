import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { invoices, webhookEvents } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { createOrganization } from '../../src/services/organizations';
import { runSync } from '../../src/services/sync/runSync';
import { createTestApp, type TestApp } from '../support/app';

const VERIFIER = 'qb-verifier-for-webhook-tests';
const sign = (body: string) => crypto.createHmac('sha256', VERIFIER).update(body).digest('base64');

/** /webhooks/quickbooks: legacy and CloudEvents payloads, duplicates recorded once, tampering refused. */
describe('QuickBooks webhooks into Duely', () => {
  let emu: QuickBooksEmulator;
  let t: TestApp;
  let orgId: string;
  let connectionId: string;

  const post = (body: string, signature = sign(body)) =>
    request(t.web)
      .post('/webhooks/quickbooks')
      .set('intuit-signature', signature)
      .set('content-type', 'application/json')
      .send(body);
  const eventsOf = async () =>
    t.app.db.select().from(webhookEvents).where(eq(webhookEvents.connectionId, connectionId));
  const openInvoices = (n: number) =>
    t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(n);

  beforeAll(async () => {
    emu = await startQuickBooksEmulator({
      company: { seed: 12, customers: 8, invoices: 40, asOf: '2026-11-20' },
      clientId: 'qb-client',
      clientSecret: 'qb-secret',
      webhookVerifierToken: VERIFIER,
    });
    t = await createTestApp({
      env: { QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: VERIFIER },
      connectors: [
        createQuickBooksConnector({
          clientId: 'qb-client',
          clientSecret: 'qb-secret',
          environment: 'sandbox',
          baseUrl: emu.url,
          retry: { rateLimitWaitMs: 50, baseDelayMs: 5 },
        }),
      ],
    });
    orgId = (await createOrganization(t.app.db, { name: 'Hook Firm' })).id;
    connectionId = (
      await addConnectionFromRefreshToken(
        t.app,
        new OrgScope(t.app.db, orgId),
        { platform: 'quickbooks', externalTenantId: emu.realmId, refreshToken: emu.issueRefreshToken() },
        { type: 'system', id: 'cli' },
      )
    ).id;
    await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  it('records a notification Intuit sends twice once, refuses a tampered copy, and applies the change', async () => {
    const [inv] = await openInvoices(1);
    emu.editInvoice(inv!.externalId, { privateNote: 'edited in QuickBooks' });
    const body = JSON.stringify({
      eventNotifications: [
        {
          realmId: emu.realmId,
          dataChangeEvent: {
            entities: [
              {
                name: 'Invoice',
                id: inv!.externalId,
                operation: 'Update',
                lastUpdated: '2026-11-20T10:00:00.000Z',
              },
            ],
          },
        },
      ],
    });
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    const tampered = body.replace('Update', 'Updatf');
    expect((await post(tampered, sign(body))).status).toBe(401);
    const events = await eventsOf();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ entity: 'invoices', externalId: inv!.externalId, operation: 'update' });
    await t.app.queue.drain(15_000);
    const [after] = await t.app.db.select().from(invoices).where(eq(invoices.id, inv!.id));
    expect(after!.syncToken).not.toBe(inv!.syncToken);
  });

  it('accepts a CloudEvents notification of a deletion once and marks the invoice deleted', async () => {
    const [, inv] = await openInvoices(2);
    emu.deleteInvoice(inv!.externalId);
    const body = JSON.stringify([
      {
        specversion: '1.0',
        id: 'c0ffee00-1111-4222-8333-444455556666',
        source: 'intuit.test',
        type: 'qbo.invoice.deleted.v1',
        time: '2026-11-20T10:05:00.000Z',
        intuitentityid: inv!.externalId,
        intuitaccountid: emu.realmId,
        data: {},
      },
    ]);
    const before = (await eventsOf()).length;
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    expect(await eventsOf()).toHaveLength(before + 1);
    await t.app.queue.drain(15_000);
    const [after] = await t.app.db.select().from(invoices).where(eq(invoices.id, inv!.id));
    expect(after!.status).toBe('deleted');
  });

  it('acknowledges a notification for a company no firm has connected, recording nothing', async () => {
    const body = JSON.stringify({
      eventNotifications: [
        {
          realmId: '999000999',
          dataChangeEvent: { entities: [{ name: 'Invoice', id: '1', operation: 'Create' }] },
        },
      ],
    });
    const before = (await t.app.db.select().from(webhookEvents)).length;
    expect((await post(body)).status).toBe(200);
    expect(await t.app.db.select().from(webhookEvents)).toHaveLength(before);
  });

  it('records every notification of a burst and fetches them all through one queued job', async () => {
    const burst = await openInvoices(12);
    for (const inv of burst) emu.editInvoice(inv.externalId, { privateNote: `burst ${inv.externalId}` });
    const enqueue = jest.spyOn(t.app.queue, 'enqueue');
    const before = (await eventsOf()).length;
    for (const [i, inv] of burst.entries()) {
      const body = JSON.stringify({
        eventNotifications: [
          {
            realmId: emu.realmId,
            dataChangeEvent: {
              entities: [
                {
                  name: 'Invoice',
                  id: inv.externalId,
                  operation: 'Update',
                  lastUpdated: `2026-11-20T11:00:${String(i).padStart(2, '0')}.000Z`,
                },
              ],
            },
          },
        ],
      });
      expect((await post(body)).status).toBe(200);
    }
    expect(await eventsOf()).toHaveLength(before + burst.length);
    // one job for the burst (two if the burst straddles a five-second slot)
    expect(enqueue.mock.calls.length).toBeLessThanOrEqual(2);
    enqueue.mockRestore();
    await t.app.queue.drain(15_000);
    const pending = (await eventsOf()).filter((e) => e.processedAt === null);
    expect(pending).toHaveLength(0);
    for (const inv of burst) {
      const [after] = await t.app.db.select().from(invoices).where(eq(invoices.id, inv.id));
      expect(after!.syncToken).not.toBe(inv.syncToken);
    }
  });
});
