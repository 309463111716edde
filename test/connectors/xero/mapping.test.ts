import fs from 'node:fs';
import path from 'node:path';

import type { CanonicalInvoice } from '../../../connectors/types';
import { COLLECTIONS } from '../../../connectors/xero/entities';
import { ifModifiedSince, xeroDate, xeroTimestamp } from '../../../connectors/xero/mapping/dates';
import { mapContact } from '../../../connectors/xero/mapping/contacts';
import { mapInvoice } from '../../../connectors/xero/mapping/invoices';
import { contactSchema, invoiceSchema } from '../../../connectors/xero/mapping/schemas';

const REC = '/work/shared/fixtures/recorded';
const load = (p: string): unknown => JSON.parse(fs.readFileSync(path.join(REC, p), 'utf8'));
const spec = (key: string) => COLLECTIONS.find((c) => c.key === key)!;

type Cassette = { response: { body: { Invoices: Record<string, unknown>[] } } }[];
const demoInvoices = (
  load('xero-python/accounting__api__test_invoice_attachment_upload_and_download.json') as Cassette
)[0]!.response.body.Invoices;

describe('Xero dates', () => {
  it('parses /Date()/ with and without an offset, and ISO with and without a zone', () => {
    expect(xeroDate('/Date(1563753600000+0000)/')).toBe('2019-07-22');
    expect(xeroDate('/Date(1563710400000+1300)/')).toBe('2019-07-22'); // NZ midnight
    expect(xeroDate('2019-07-22T00:00:00')).toBe('2019-07-22');
    expect(xeroDate('2019-07-22')).toBe('2019-07-22');
    expect(xeroTimestamp('/Date(1584585851967)/')).toBe('2020-03-19T02:44:11.967Z');
    expect(xeroTimestamp('2018-11-02T16:36:32Z')).toBe('2018-11-02T16:36:32.000Z');
    expect(xeroTimestamp('2020-03-18T21:20:07.7179250')).toBe('2020-03-18T21:20:07.717Z');
    expect(xeroTimestamp('2020-03-18T21:20:07+13:00')).toBe('2020-03-18T08:20:07.000Z');
  });
  it('rejects what is not a date', () => {
    expect(() => xeroDate('yesterday')).toThrow(/not a Xero date/);
    expect(() => xeroDate('2019-02-30')).toThrow(/not a date/);
  });
  it('formats If-Modified-Since in UTC at second precision', () => {
    expect(ifModifiedSince(new Date('2026-11-23T09:37:22.987+02:00'))).toBe('2026-11-23T07:37:22Z');
  });
});

describe('Xero invoices (79 real demo-company invoices)', () => {
  const page = spec('invoices').map(demoInvoices);
  const invoices = page.records as CanonicalInvoice[];

  it('keeps sales invoices, skips the 41 bills without calling them errors', () => {
    expect(page.errors).toEqual([]);
    expect(page.skipped).toBe(41);
    expect(invoices).toHaveLength(38);
  });

  it('maps every status: DRAFT → draft, AUTHORISED → open, PAID → paid', () => {
    const by = (s: string) => invoices.filter((i) => i.platformStatus === s);
    expect(by('DRAFT').every((i) => i.status === 'draft')).toBe(true);
    expect(by('AUTHORISED').every((i) => i.status === 'open')).toBe(true);
    expect(by('PAID').every((i) => i.status === 'paid' && i.balance === '0')).toBe(true);
    expect(by('DRAFT')).toHaveLength(2);
  });

  it('uses AmountDue as the balance of a part-paid invoice, with dates as dates', () => {
    const inv = invoices.find((i) => i.externalId === '9019678b-0f43-484a-8c5d-93dc36b27e13')!;
    expect(inv).toMatchObject({
      number: 'INV-0027',
      total: '850',
      balance: '270.63',
      currency: 'NZD',
      exchangeRate: '1',
      homeBalance: '270.63',
      issueDate: '2020-03-05',
      dueDate: '2020-03-15',
      status: 'open',
      updatedAt: '2010-11-29T16:05:54.640Z',
    });
    expect(inv.lineCount).toBeGreaterThan(0);
  });

  it('maps SUBMITTED, VOIDED and DELETED, and converts a multicurrency balance', () => {
    const base = demoInvoices.find((i) => i.Type === 'ACCREC' && i.Status === 'AUTHORISED')!;
    const one = (patch: Record<string, unknown>) => {
      const m = mapInvoice(invoiceSchema.parse({ ...base, ...patch }));
      if (m.kind !== 'record') throw new Error(m.kind);
      return m.value;
    };
    expect(one({ Status: 'SUBMITTED' }).status).toBe('draft');
    expect(one({ Status: 'VOIDED' }).status).toBe('voided');
    expect(one({ Status: 'DELETED' }).status).toBe('deleted');
    const fx = one({ AmountDue: 100, CurrencyRate: 0.625, CurrencyCode: 'USD' });
    expect(fx).toMatchObject({ balance: '100', exchangeRate: '0.625', homeBalance: '160' });
    const odd = mapInvoice(invoiceSchema.parse({ ...base, Status: 'ARCHIVED' }));
    expect(odd).toMatchObject({ kind: 'error', error: { reason: 'unknown invoice status ARCHIVED' } });
  });

  it('turns an invalid record into a RecordError with its id, and goes on', () => {
    const good = demoInvoices.find((i) => i.Type === 'ACCREC')!;
    const page2 = spec('invoices').map([
      { ...good, InvoiceID: 'bad-1', Contact: undefined },
      { ...good, InvoiceID: 'bad-2', Date: 'soon' },
      good,
    ]);
    expect(page2.records).toHaveLength(1);
    expect(page2.errors.map((e) => e.externalId)).toEqual(['bad-1', 'bad-2']);
    expect(page2.errors[0]!.reason).toMatch(/Contact/);
    expect(page2.errors[1]!.reason).toMatch(/not a Xero date/);
  });
});

describe('Xero OpenAPI examples', () => {
  const body = (f: string) => load(`xero-openapi-examples/${f}`) as Record<string, unknown[]>;

  it('maps contacts with balance, persons and archived/GDPR states', () => {
    const page = spec('contacts').map(body('getContacts.json').Contacts!);
    expect(page.errors).toEqual([]);
    expect(page.records[0]).toMatchObject({
      name: 'Katherine Warren',
      email: 'kat.warren@clampett.com',
      balance: '760',
      active: true,
      deleted: false,
    });
    const raw = contactSchema.parse({
      ...body('getContacts.json').Contacts![0]!,
      ContactStatus: 'ARCHIVED',
      ContactPersons: [
        { FirstName: 'Ap', LastName: 'Clerk', EmailAddress: 'ap@x.example', IncludeInEmails: true },
      ],
    });
    const m = mapContact(raw);
    expect(m.kind === 'record' && m.value).toMatchObject({
      active: false,
      deleted: false,
      contacts: [{ isPrimary: true }, { email: 'ap@x.example', role: 'billing' }],
    });
    const g = mapContact(contactSchema.parse({ ...raw, ContactStatus: 'GDPRREQUEST' }));
    expect(g.kind === 'record' && g.value.deleted).toBe(true);
  });

  it('maps payments with their invoice link', () => {
    const page = spec('payments').map(body('getPayments.json').Payments!);
    expect(page.errors).toEqual([]);
    expect(page.records[0]).toMatchObject({
      externalId: '99ea7f6b-c513-4066-bc27-b7c65dcd76c2',
      amount: '46',
      currency: 'NZD',
      kind: 'payment',
      date: '2018-11-29',
      allocations: [{ invoiceExternalId: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87', amount: '46' }],
    });
  });

  it('maps customer credit notes with RemainingCredit and skips supplier ones', () => {
    const page = spec('creditNotes').map(body('getCreditNotes.json').CreditNotes!);
    expect(page.errors).toEqual([]);
    expect(page.records[0]).toMatchObject({
      number: 'CN-0005',
      total: '34.5',
      remaining: '32.5',
      status: 'open',
      date: '2019-03-05',
    });
  });

  it('maps RECEIVE overpayments and prepayments as payments, skipping SPEND ones', () => {
    const over = spec('overpayments').map(body('getOverpayments.json').Overpayments!);
    expect(over.errors).toEqual([]);
    expect(over.records.every((p) => (p as { kind: string }).kind === 'overpayment')).toBe(true);
    expect(over.skipped).toBeGreaterThan(0);
    const pre = spec('prepayments').map(body('getPrepayments.json').Prepayments!);
    expect(pre.records[0]).toMatchObject({
      kind: 'prepayment',
      amount: '3450',
      reference: 'INV-0011',
      status: 'active',
    });
  });
});
