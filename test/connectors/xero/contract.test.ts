import nock from 'nock';

import { createXeroConnector } from '../../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../../connectors/xero/emulator';
import { collect, emulatorContext } from './helpers';
import { OpenApiChecker } from './openapi';

const SPEC = '/work/shared/contracts/xero/xero_accounting.yaml';
const IDENTITY_SPEC = '/work/shared/contracts/xero/xero-identity.yaml';

describe('Xero contract: the emulator and the connector against Xero’s OpenAPI spec', () => {
  let emu: XeroEmulator;
  let spec: OpenApiChecker;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    spec = new OpenApiChecker(SPEC, 'xero-accounting');
    emu = await startXeroEmulator({
      clientId: 'c',
      clientSecret: 's',
      record: true,
      company: { seed: 5, customers: 30, invoices: 150, asOf: '2026-11-20', malformed: 1 },
    });
    // drive every call Duely makes
    const c = createXeroConnector({ clientId: 'c', clientSecret: 's', baseUrl: emu.url, pageSize: 50 });
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    await c.fetchCompanyName(ctx);
    const full = await collect(c.sync(ctx, { mode: 'full', cursor: null }));
    emu.changeInvoices(2);
    await collect(c.sync(ctx, { mode: 'incremental', cursor: full.at(-1)!.cursor }));
    const books = emu.books();
    const inv = books.invoices.filter(
      (i) => i.type === 'ACCREC' && i.status === 'AUTHORISED' && !i.malformed,
    );
    await collect(
      c.fetchRecords(ctx, [
        { entity: 'invoices', externalId: inv[0]!.id },
        { entity: 'customers', externalId: books.contacts[0]!.id },
        { entity: 'payments', externalId: books.payments[0]!.id },
        { entity: 'creditNotes', externalId: books.creditNotes[0]?.id ?? inv[1]!.id },
      ]),
    );
    await c.writeNote(ctx, {
      invoiceExternalId: inv[2]!.id,
      text: 'Reminder sent. '.repeat(30),
      idempotencyKey: 'k1',
    });
    await c.createPayment(ctx, {
      customerExternalId: inv[3]!.contactId,
      date: '2026-11-21',
      currency: 'USD',
      amount: '5',
      allocations: [{ invoiceExternalId: inv[3]!.id, amount: '5' }],
      reference: 'Portal',
      accountRef: '090',
      idempotencyKey: 'p1',
    });
    await c
      .createPayment(ctx, {
        customerExternalId: inv[4]!.contactId,
        date: '2026-11-21',
        currency: 'USD',
        amount: '1',
        allocations: [{ invoiceExternalId: inv[4]!.id, amount: '99999999' }],
        reference: null,
        accountRef: '7d6a0bd5-0a1c-4bf1-9c4f-6a1f3c5a1e11',
        idempotencyKey: 'p2',
      })
      .catch((e: unknown) => e);
    await c.getInvoicePdf(ctx, inv[0]!.id);
  });
  afterAll(async () => {
    await emu.close();
    nock.enableNetConnect();
  });

  it('exercised every endpoint Duely uses', () => {
    const ops = new Set(emu.recorded.map((r) => spec.operation(r.method, r.path)?.operationId));
    expect([...ops].sort()).toEqual(
      [
        'createInvoiceHistory',
        'createPayments',
        'getContacts',
        'getCreditNotes',
        'getInvoice',
        'getInvoiceHistory',
        'getInvoices',
        'getOrganisations',
        'getOverpayments',
        'getPayments',
        'getPrepayments',
      ].sort(),
    );
    expect(emu.recorded.some((r) => r.status === 400)).toBe(true);
    expect(emu.recorded.some((r) => r.headers['if-modified-since'])).toBe(true);
  });

  it('every emulator response validates against the spec', () => {
    const problems = emu.recorded
      .filter((r) => r.contentType === 'application/json')
      .flatMap((r) => spec.checkResponse(spec.operation(r.method, r.path)!, r.status, r.responseBody));
    expect(problems).toEqual([]);
  });

  it('every request the connector sends uses the spec’s parameters, headers and bodies', () => {
    const problems = emu.recorded.flatMap((r) =>
      spec.checkRequest(spec.operation(r.method, r.path)!, r.query, r.headers, r.body),
    );
    expect(problems).toEqual([]);
    const ims = emu.recorded.map((r) => r.headers['if-modified-since']).filter(Boolean);
    expect(ims.every((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v!))).toBe(true);
  });

  it('the checker itself catches a wrong shape and an unknown parameter', () => {
    const op = spec.operation('GET', '/Invoices')!;
    expect(
      spec.checkResponse(op, 200, { Invoices: [{ Total: 'lots', Status: 'MAYBE' }] }).length,
    ).toBeGreaterThan(0);
    expect(spec.checkRequest(op, { pageSize: 'x', bogus: '1' }, {}, undefined)).toHaveLength(2);
    expect(
      spec.checkRequest(op, {}, { 'if-modified-since': 'Mon, 23 Nov 2026 09:00:00 GMT' }, undefined),
    ).toHaveLength(1);
  });

  it('the /connections answer validates against the identity spec', async () => {
    const identity = new OpenApiChecker(IDENTITY_SPEC, 'xero-identity');
    const c = createXeroConnector({ clientId: 'c', clientSecret: 's', baseUrl: emu.url });
    const tokens = await c.oauth.refresh(emu.issueRefreshToken());
    const res = await fetch(`${emu.url}/connections`, {
      headers: { Authorization: `Bearer ${tokens.accessToken}` },
    });
    const body: unknown = await res.json();
    expect(identity.checkResponse(identity.operation('GET', '/Connections')!, 200, body)).toEqual([]);
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
