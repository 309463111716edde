import { and, count, eq } from 'drizzle-orm';
import request from 'supertest';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import {
  connections,
  customers,
  invoices,
  payments,
  syncRuns,
  emails,
  writeBacks,
} from '../../src/db/schema';
import { queueInvoiceNote, runWriteBack } from '../../src/services/writeBack/queue';
import { OrgScope } from '../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { getAccessToken } from '../../src/services/connections/tokenManager';
import { createOrganization } from '../../src/services/organizations';
import { runSync } from '../../src/services/sync/runSync';
import { createUser } from '../../src/services/users';
import { createTestApp, type TestApp } from '../support/app';

const COMPANY = { seed: 7, customers: 40, invoices: 260, asOf: '2026-11-20', malformed: 2 };
const VERIFIER = 'verifier-token-for-tests';

describe('sync service against the QuickBooks emulator', () => {
  let emu: QuickBooksEmulator;
  let t: TestApp;
  let orgId: string;
  let connectionId: string;

  beforeAll(async () => {
    emu = await startQuickBooksEmulator({
      company: COMPANY,
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
    const org = await createOrganization(t.app.db, { name: 'Sync Firm' });
    orgId = org.id;
    await createUser(
      t.app.db,
      { organizationId: orgId, email: 'owner@sync.test', role: 'owner', password: 'long-password-1' },
      { type: 'system', id: null },
    );
    const c = await addConnectionFromRefreshToken(
      t.app,
      new OrgScope(t.app.db, orgId),
      { platform: 'quickbooks', externalTenantId: emu.realmId, refreshToken: emu.issueRefreshToken() },
      { type: 'system', id: 'cli' },
    );
    connectionId = c.id;
    expect(c.displayName).toBe(emu.companyName);
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  const countOf = async (table: typeof customers | typeof invoices | typeof payments) =>
    (await t.app.db.select({ n: count() }).from(table).where(eq(table.organizationId, orgId)))[0]!.n;

  it('runs a full sync: every record written once, malformed records reported and skipped', async () => {
    const s = await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    const expected = emu.counts();
    expect(s.status).toBe('partial');
    expect(s.errors).toHaveLength(2);
    for (const e of s.errors)
      expect(e).toMatchObject({
        entity: 'invoices',
        externalId: expect.any(String),
        reason: expect.any(String),
      });
    expect(await countOf(customers)).toBe(expected.Customer);
    expect(await countOf(invoices)).toBe(expected.Invoice - 2);
    expect(await countOf(payments)).toBe(expected.Payment);
    expect(s.apiCalls).toBeGreaterThan(0);
    const [run] = await t.app.db.select().from(syncRuns).where(eq(syncRuns.id, s.syncRunId));
    expect(run).toMatchObject({ status: 'partial', invoices: s.invoices, apiCalls: s.apiCalls });
    // a second full sync writes the same rows, no duplicates
    await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    expect(await countOf(invoices)).toBe(expected.Invoice - 2);
  });

  it('picks up edits, voids and deletions incrementally with few API calls', async () => {
    const [open] = await t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(2);
    const [, second] = await t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(2);
    emu.voidInvoice(open!.externalId);
    emu.deleteInvoice(second!.externalId);
    const s = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(['succeeded', 'partial']).toContain(s.status);
    expect(s.apiCalls).toBeLessThanOrEqual(3);
    const [v] = await t.app.db.select().from(invoices).where(eq(invoices.id, open!.id));
    const [d] = await t.app.db.select().from(invoices).where(eq(invoices.id, second!.id));
    expect(v!.status).toBe('voided');
    expect(d!.status).toBe('deleted');
  });

  it('refreshes an expired access token once for 50 concurrent callers, saving the rotated refresh token', async () => {
    await t.app.db
      .update(connections)
      .set({ accessTokenExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(connections.id, connectionId));
    emu.resetStats();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => getAccessToken(t.app, connectionId)));
    expect(new Set(tokens).size).toBe(1);
    expect(emu.stats().tokenRequests.refresh_token).toBe(1);
    const [row] = await t.app.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(row!.previousRefreshTokenEnc).not.toBeNull();
  });

  it('accepts a signed webhook, answers at once, and applies the change through the queue', async () => {
    const [inv] = await t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(1);
    emu.editInvoice(inv!.externalId, { privateNote: 'changed in QuickBooks' });
    const server = t.web.listen(0);
    try {
      const port = (server.address() as { port: number }).port;
      const res = await emu.deliverWebhook(`http://127.0.0.1:${port}/webhooks/quickbooks`, [
        { name: 'Invoice', id: inv!.externalId, operation: 'Update' },
      ]);
      expect(res.status).toBe(200);
      const bad = await request(t.web)
        .post('/webhooks/quickbooks')
        .set('intuit-signature', 'AAAA')
        .set('content-type', 'application/json')
        .send('{"eventNotifications":[]}');
      expect(bad.status).toBe(401);
      await t.app.queue.drain(15_000);
      const [after] = await t.app.db.select().from(invoices).where(eq(invoices.id, inv!.id));
      expect(after!.syncToken).not.toBe(inv!.syncToken);
    } finally {
      server.close();
    }
  });

  it('writes a note back once per idempotency key, surviving a failed attempt', async () => {
    const scope = new OrgScope(t.app.db, orgId);
    const [inv] = await t.app.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open')))
      .limit(1);
    emu.injectFault({ status: 503, method: 'POST', path: '/invoice', times: 1 });
    const key = `note:reminder:${inv!.id}:overdue-3`;
    const a = await queueInvoiceNote(t.app, scope, {
      invoiceId: inv!.id,
      text: '2026-11-20 Duely: overdue reminder sent to ap@example.com',
      idempotencyKey: key,
    });
    const b = await queueInvoiceNote(t.app, scope, {
      invoiceId: inv!.id,
      text: '2026-11-20 Duely: overdue reminder sent to ap@example.com',
      idempotencyKey: key,
    });
    expect(b).toBe(a);
    // the first attempt meets the 503 and is retried after its backoff; run the retry now
    for (let i = 0; i < 5; i++) {
      await t.app.queue.drain(5_000);
      const [row] = await t.app.db.select().from(writeBacks).where(eq(writeBacks.id, a));
      if (row!.status === 'done') break;
      await t.app.db
        .update(writeBacks)
        .set({ nextAttemptAt: new Date(0) })
        .where(eq(writeBacks.id, a));
      await runWriteBack(t.app, a);
    }
    const [row] = await t.app.db.select().from(writeBacks).where(eq(writeBacks.id, a));
    expect(row).toMatchObject({ status: 'done', kind: 'note' });
    const note = String(emu.invoice(inv!.externalId)!.PrivateNote ?? '');
    expect(note.match(/overdue reminder sent/g)).toHaveLength(1);
    // running it again changes nothing
    expect((await runWriteBack(t.app, a)).outcome).toBe('already_done');
  });

  it('marks the connection as needing reconnection when the grant is revoked, holds automation and tells the owner', async () => {
    emu.revokeAll();
    await t.app.db
      .update(connections)
      .set({ accessTokenExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(connections.id, connectionId));
    const s = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(s.status).toBe('failed');
    const [row] = await t.app.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(row!.status).toBe('needs_reconnect');
    await t.app.queue.drain(5000);
    const mails = await t.app.db.select().from(emails).where(eq(emails.kind, 'connection.needs_reconnect'));
    expect(mails.map((m) => m.toAddress)).toEqual(['owner@sync.test']);
    const again = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(again.failureReason).toMatch(/needs reconnect/);
  });
});
