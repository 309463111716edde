import { and, eq, isNotNull } from 'drizzle-orm';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { connections, invoicePdfs, invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { createOrganization } from '../../src/services/organizations';
import { runSync } from '../../src/services/sync/runSync';
import { createTestApp, type TestApp } from '../support/app';
import { portalLink, portalVisitor } from '../support/portal';

describe('portal: invoice PDFs from the books', () => {
  let emu: QuickBooksEmulator;
  let t: TestApp;
  let orgId: string;
  let connectionId: string;
  let inv: { id: string; externalId: string; number: string | null; customerId: string };
  let visitor: Awaited<ReturnType<typeof portalVisitor>>;

  const pdfCalls = () => emu.stats().byRoute['GET invoice'] ?? 0;

  beforeAll(async () => {
    emu = await startQuickBooksEmulator({
      company: { seed: 11, customers: 3, invoices: 12, asOf: '2026-11-20' },
      clientId: 'qb-client',
      clientSecret: 'qb-secret',
    });
    t = await createTestApp({
      connectors: [
        createQuickBooksConnector({
          clientId: 'qb-client',
          clientSecret: 'qb-secret',
          environment: 'sandbox',
          baseUrl: emu.url,
          retry: { rateLimitWaitMs: 20, baseDelayMs: 2, maxAttempts: 2 },
        }),
      ],
    });
    orgId = (await createOrganization(t.app.db, { name: 'PDF Firm' })).id;
    const scope = new OrgScope(t.app.db, orgId);
    connectionId = (
      await addConnectionFromRefreshToken(
        t.app,
        scope,
        { platform: 'quickbooks', externalTenantId: emu.realmId, refreshToken: emu.issueRefreshToken() },
        { type: 'system', id: 'test' },
      )
    ).id;
    await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    const [row] = await scope.db
      .select({
        id: invoices.id,
        externalId: invoices.externalId,
        number: invoices.number,
        customerId: invoices.customerId,
      })
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.status, 'open'), isNotNull(invoices.number)))
      .limit(1);
    inv = row!;
    visitor = await portalVisitor(t.web, (await portalLink(t.app, orgId, inv.customerId)).token);
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  it('streams the PDF from the platform once, then from the cache', async () => {
    const before = pdfCalls();
    const first = await visitor.get(`/portal/invoices/${inv.id}/pdf`).buffer(true);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['content-disposition']).toBe(`inline; filename="invoice-${inv.number}.pdf"`);
    expect((first.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfCalls()).toBe(before + 1);

    const second = await visitor.get(`/portal/invoices/${inv.id}/pdf`).buffer(true);
    expect(second.status).toBe(200);
    expect(Buffer.compare(second.body as Buffer, first.body as Buffer)).toBe(0);
    expect(pdfCalls()).toBe(before + 1);
    const cached = await t.app.db.select().from(invoicePdfs).where(eq(invoicePdfs.invoiceId, inv.id));
    expect(cached).toHaveLength(1);
    expect(cached[0]!.organizationId).toBe(orgId);
  });

  it('fetches again once the invoice changed on the platform (a new version came in by sync)', async () => {
    await visitor.get(`/portal/invoices/${inv.id}/pdf`);
    const before = pdfCalls();
    emu.editInvoice(inv.externalId, { privateNote: 'changed in QuickBooks' });
    await runSync(t.app, { organizationId: orgId, connectionId, mode: 'incremental', trigger: 'cli' });
    expect((await visitor.get(`/portal/invoices/${inv.id}/pdf`)).status).toBe(200);
    expect(pdfCalls()).toBe(before + 1);
    expect((await visitor.get(`/portal/invoices/${inv.id}/pdf`)).status).toBe(200);
    expect(pdfCalls()).toBe(before + 1);
  });

  it('shows a clear page, not a 500, when the platform fails', async () => {
    await t.app.db.delete(invoicePdfs).where(eq(invoicePdfs.invoiceId, inv.id));
    emu.injectFault({ status: 503, path: '/pdf', times: 10 });
    try {
      const res = await visitor.get(`/portal/invoices/${inv.id}/pdf`);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('The invoice copy is not available right now');
      expect(res.text).toContain(`href="/portal/invoices/${inv.id}"`);
    } finally {
      emu.clearFaults();
    }
    expect((await visitor.get(`/portal/invoices/${inv.id}/pdf`)).status).toBe(200);
  });

  it('shows a clear page without calling the platform while the connection needs reconnecting', async () => {
    await t.app.db.delete(invoicePdfs).where(eq(invoicePdfs.invoiceId, inv.id));
    await t.app.db
      .update(connections)
      .set({ status: 'needs_reconnect' })
      .where(eq(connections.id, connectionId));
    const before = pdfCalls();
    try {
      const res = await visitor.get(`/portal/invoices/${inv.id}/pdf`);
      expect(res.status).toBe(503);
      expect(res.text).toContain('needs attention on our side');
      expect(pdfCalls()).toBe(before);
      // the invoice page itself still works from Duely's own copy
      expect((await visitor.get(`/portal/invoices/${inv.id}`)).status).toBe(200);
    } finally {
      await t.app.db.update(connections).set({ status: 'connected' }).where(eq(connections.id, connectionId));
    }
  });
});
