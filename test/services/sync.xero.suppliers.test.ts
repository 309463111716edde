import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { type XeroEmulator } from '../../connectors/xero/emulator';
import { guid, type ContactRec, type InvoiceRec } from '../../connectors/xero/emulator/store';
import { customers, invoices } from '../../src/db/schema';
import type { OrgScope } from '../../src/db/scope';
import { createApiToken } from '../../src/services/apiTokens';
import { customerListQuery, listCustomers } from '../../src/services/customers/list';
import { runSync } from '../../src/services/sync/runSync';
import { type TestApp } from '../support/app';
import { xeroFirm } from '../support/xeroFirm';

/**
 * Xero's Contacts hold suppliers as well as customers. Duely syncs every contact (an invoice can
 * name a contact before Xero flags it IsCustomer) and lists only those with sales documents.
 */
describe('Xero suppliers and customers', () => {
  let emu: XeroEmulator;
  let t: TestApp;
  let orgId: string;
  let scope: OrgScope;
  let connectionId: string;
  const supplierId = guid('suppliers-test', 'supplier');
  const lateId = guid('suppliers-test', 'late-customer');
  const lateInvoiceId = guid('suppliers-test', 'late-invoice');

  function contact(id: string, name: string, isCustomer?: boolean): ContactRec {
    const books = emu.books();
    const gen = { ...books.contacts[0]!.gen, name };
    const rec: ContactRec = { id, gen, status: 'ACTIVE', updatedMs: books.touch(), isCustomer };
    books.contacts.push(rec);
    books.contactById.set(id, rec);
    return rec;
  }
  function invoice(id: string, contactId: string, type: InvoiceRec['type'], number: string): InvoiceRec {
    const books = emu.books();
    const rec: InvoiceRec = {
      id,
      number,
      type,
      contactId,
      issueDate: '2026-10-01',
      dueDate: '2026-10-31',
      currency: books.currency,
      lines: [{ description: 'Services', amount: '450.00' }],
      total: 4_500_000n, // 450.00 in ten-thousandths
      paid: 0n,
      credited: 0n,
      status: 'AUTHORISED',
      malformed: false,
      updatedMs: books.touch(),
    };
    books.addInvoice(rec);
    return rec;
  }
  const listed = async () =>
    (
      await listCustomers(scope, customerListQuery.parse({ sort: 'name' }), {
        now: new Date('2026-11-20T12:00:00Z'),
        pageSize: 500,
      })
    ).rows.map((r) => r.name);
  /** The same list through the API (`GET /api/v1/customers`, every page). */
  const listedByApi = async () => {
    const { token } = await createApiToken(scope, 'suppliers test', { type: 'system', id: null });
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await request(t.web)
        .get(`/api/v1/customers?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
        .set('authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      const body = res.body as { data: { name: string }[]; nextCursor: string | null };
      names.push(...body.data.map((c) => c.name));
      cursor = body.nextCursor;
    } while (cursor);
    return names;
  };

  beforeAll(async () => {
    ({ emu, t, orgId, scope, connectionId } = await xeroFirm({
      name: 'Xero Suppliers Firm',
      company: { seed: 33, customers: 12, invoices: 40 },
      prepare: (e) => {
        emu = e;
        // a landlord the firm only buys from, and a customer Xero has not flagged IsCustomer yet
        contact(supplierId, 'Harbour Street Landlord Ltd');
        invoice(guid('suppliers-test', 'rent-bill'), supplierId, 'ACCPAY', 'RENT-11');
        contact(lateId, 'Newcomer Joinery', false);
        invoice(lateInvoiceId, lateId, 'ACCREC', 'INV-NEW-1');
      },
    }));
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  it('keeps the invoice of a contact Xero has not flagged as a customer, and lists that customer', async () => {
    const run = await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    expect(run.status).toBe('succeeded');
    const [inv] = await t.app.db
      .select({ customerId: invoices.customerId, balance: invoices.balance })
      .from(invoices)
      .where(and(eq(invoices.organizationId, orgId), eq(invoices.externalId, lateInvoiceId)));
    expect(Number(inv?.balance)).toBe(450);
    const [late] = await scope.select(customers, eq(customers.externalId, lateId));
    expect(inv?.customerId).toBe(late?.id);
    expect(await listed()).toContain('Newcomer Joinery');
  });

  it('syncs a supplier-only contact but leaves it out of the customers list', async () => {
    const [supplier] = await scope.select(customers, eq(customers.externalId, supplierId));
    expect(supplier?.name).toBe('Harbour Street Landlord Ltd');
    const names = await listed();
    expect(names).not.toContain('Harbour Street Landlord Ltd');
    expect(names.length).toBeGreaterThan(1);
    const viaApi = await listedByApi();
    expect(viaApi).not.toContain('Harbour Street Landlord Ltd');
    expect(viaApi.sort()).toEqual([...names].sort());
    // asked for by id, it is still there
    const res = await request(t.web)
      .get(`/api/v1/customers/${supplier!.id}`)
      .set(
        'authorization',
        `Bearer ${(await createApiToken(scope, 'by id', { type: 'system', id: null })).token}`,
      );
    expect(res.status).toBe(200);
  });

  it('lists the supplier once the firm sends it a sales invoice', async () => {
    invoice(guid('suppliers-test', 'recharge'), supplierId, 'ACCREC', 'INV-RECHARGE-1');
    const run = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(run.status).toBe('succeeded');
    expect(await listed()).toContain('Harbour Street Landlord Ltd');
    expect(await listedByApi()).toContain('Harbour Street Landlord Ltd');
  });
});
