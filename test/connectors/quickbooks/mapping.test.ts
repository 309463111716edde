import { mapCustomer } from '../../../connectors/quickbooks/mapping/customers';
import { mapInvoice } from '../../../connectors/quickbooks/mapping/invoices';
import { mapPayment } from '../../../connectors/quickbooks/mapping/payments';
import { mapCreditMemo } from '../../../connectors/quickbooks/mapping/creditMemos';
import { addTerms } from '../../../connectors/quickbooks/mapping/terms';
import {
  emptyMappingContext,
  mapAll,
  type MappingContext,
} from '../../../connectors/quickbooks/mapping/common';
import { RECORDED, fixtureJson, recording } from './helpers';

const ctx = emptyMappingContext('USD');

function recordedInvoice(file: string, index: number): Record<string, unknown> {
  const body = recording(file)[index]!.response.body as { Invoice: Record<string, unknown> };
  return body.Invoice;
}

describe('QuickBooks invoice mapping', () => {
  it('maps an open invoice with money as decimal strings and dates as dates', () => {
    const m = mapInvoice(recordedInvoice('void__invoice.json', 0), ctx);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.value).toMatchObject({
      externalId: '264',
      number: '1041',
      customerExternalId: '1',
      currency: 'USD',
      issueDate: '2020-09-29',
      dueDate: '2020-10-29',
      total: '100',
      balance: '100',
      status: 'open',
      syncToken: '0',
      lineCount: 1,
      updatedAt: '2020-09-29T11:46:06.000Z',
    });
    expect(m.value.lines).toEqual([{ description: null, amount: '100' }]);
  });

  it('recognises the voided invoice QuickBooks returns after operation=void', () => {
    const m = mapInvoice(recordedInvoice('void__invoice.json', 1), ctx);
    expect(m.ok && m.value.status).toBe('voided');
    expect(m.ok && m.value.balance).toBe('0');
  });

  it('maps a Balance of 0 on a non-void invoice to paid', () => {
    const raw = { ...recordedInvoice('void__invoice.json', 0), Balance: 0 };
    const m = mapInvoice(raw, ctx);
    expect(m.ok && m.value.status).toBe('paid');
    expect(m.ok && m.value.platformStatus).toBe('Paid');
  });

  it('does not take a firm note that merely mentions voided for a void while money is owed', () => {
    const raw = { ...recordedInvoice('void__invoice.json', 0), PrivateNote: 'Voided cheque replaced' };
    expect(mapInvoice(raw, ctx)).toMatchObject({ ok: true, value: { status: 'open' } });
  });

  it('turns the Deleted answer into a deleted invoice', () => {
    const deleted = (recording('delete__invoice.json')[1]!.response.body as { Invoice: unknown }).Invoice;
    const m = mapInvoice(deleted, ctx);
    expect(m).toMatchObject({
      ok: true,
      value: { externalId: '266', status: 'deleted', platformStatus: 'Deleted' },
    });
  });

  it('keeps the currency, exchange rate and HomeBalance of a multicurrency invoice', () => {
    const body = fixtureJson<{ Invoice: Record<string, unknown> }>(
      RECORDED,
      'quickbooks-intuit-java-sdk',
      'invoice_read_multicurrency_homebalance.json',
    );
    const euro = {
      ...body.Invoice,
      CurrencyRef: { value: 'EUR' },
      ExchangeRate: 1.0873,
      HomeBalance: 108790.4,
    };
    const m = mapInvoice(euro, ctx);
    expect(m).toMatchObject({
      ok: true,
      value: {
        currency: 'EUR',
        balance: '100055.55',
        homeBalance: '108790.4',
        exchangeRate: '1.0873',
        total: '100055.55',
      },
    });
    const plain = mapInvoice(body.Invoice, ctx);
    expect(plain.ok && plain.value.homeBalance).toBe('100055.55');
  });

  it('keeps amounts exact and drops float noise beyond four decimals', () => {
    const raw = { ...recordedInvoice('void__invoice.json', 0), TotalAmt: 0.3, Balance: 0.1 + 0.2 };
    const m = mapInvoice(raw, ctx);
    expect(m.ok && m.value.total).toBe('0.3');
    expect(m.ok && m.value.balance).toBe('0.3');
  });

  it('fills a missing DueDate from the invoice terms', () => {
    const terms = new Map<string, { name: string; dueDays: number | null }>();
    addTerms(terms, [{ Id: '3', Name: 'Net 30', DueDays: 30, Active: true }]);
    const c: MappingContext = { homeCurrency: 'USD', terms };
    const raw = {
      ...recordedInvoice('void__invoice.json', 0),
      DueDate: undefined,
      SalesTermRef: { value: '3' },
    };
    expect(mapInvoice(raw, c)).toMatchObject({ ok: true, value: { dueDate: '2020-10-29' } });
  });

  it('reports a malformed invoice with its id and reason while the rest of the page maps', () => {
    const good = recordedInvoice('void__invoice.json', 0);
    const bad = { ...good, Id: '999', CustomerRef: undefined };
    const page = mapAll([good, bad, { ...good, Id: '265' }], (r) => mapInvoice(r, ctx));
    expect(page.records.map((r) => r.externalId)).toEqual(['264', '265']);
    expect(page.errors).toHaveLength(1);
    expect(page.errors[0]).toMatchObject({ entity: 'invoices', externalId: '999' });
    expect(page.errors[0]!.reason).toContain('CustomerRef');
  });
});

describe('QuickBooks customer mapping', () => {
  const customers = (
    recording('all__customers.json')[1]!.response.body as { QueryResponse: { Customer: unknown[] } }
  ).QueryResponse.Customer;

  it('maps every recorded sandbox customer', () => {
    const page = mapAll(customers, (r) => mapCustomer(r, ctx));
    expect(page.errors).toEqual([]);
    expect(page.records.length).toBe(customers.length);
    const amy = page.records.find((c) => c.externalId === '1')!;
    expect(amy).toMatchObject({
      name: "Amy's Bird Sanctuary",
      email: 'Birds@Intuit.com',
      phone: '(650) 555-3311',
      currency: 'USD',
      parentExternalId: null,
      active: true,
      deleted: false,
      address: { line1: '4581 Finch St.', city: 'Bayshore', region: 'CA', postalCode: '94326' },
    });
    expect(amy.contacts[0]).toMatchObject({ name: 'Amy Lauterbach', role: 'billing', isPrimary: true });
    expect(typeof amy.balance).toBe('string');
  });

  it('keeps the parent of a sub-customer and the terms with their due days', () => {
    const terms = new Map<string, { name: string; dueDays: number | null }>();
    addTerms(terms, [{ Id: '3', Name: 'Net 30', DueDays: 30 }]);
    const sub = {
      ...(customers[0] as object),
      Id: '58',
      Job: true,
      ParentRef: { value: '1' },
      SalesTermRef: { value: '3' },
    };
    expect(mapCustomer(sub, { homeCurrency: 'USD', terms })).toMatchObject({
      ok: true,
      value: { parentExternalId: '1', terms: { externalId: '3', name: 'Net 30', dueDays: 30 } },
    });
  });

  it('splits several e-mail addresses into contacts', () => {
    const c = { ...(customers[0] as object), PrimaryEmailAddr: { Address: 'a@x.example, ap@x.example' } };
    const m = mapCustomer(c, ctx);
    expect(m.ok && m.value.contacts.map((x) => x.email)).toEqual(['a@x.example', 'ap@x.example']);
  });

  it('reports a customer without a DisplayName', () => {
    const m = mapCustomer({ Id: '77', Active: true }, ctx);
    expect(m).toMatchObject({ ok: false, error: { entity: 'customers', externalId: '77' } });
  });
});

describe('QuickBooks payment and credit memo mapping', () => {
  const payment = {
    Id: '120',
    SyncToken: '0',
    MetaData: { LastUpdatedTime: '2024-03-01T10:00:00-08:00' },
    TxnDate: '2024-03-01',
    TotalAmt: 150.5,
    CurrencyRef: { value: 'USD' },
    CustomerRef: { value: '7' },
    PaymentRefNum: 'CHK-1',
    Line: [
      { Amount: 100, LinkedTxn: [{ TxnId: '31', TxnType: 'Invoice' }] },
      { Amount: 50.5, LinkedTxn: [{ TxnId: '32', TxnType: 'Invoice' }] },
      { Amount: 20, LinkedTxn: [{ TxnId: '9', TxnType: 'CreditMemo' }] },
    ],
  };

  it('maps invoice allocations from LinkedTxn and ignores credit memo links', () => {
    expect(mapPayment(payment, ctx)).toMatchObject({
      ok: true,
      value: {
        externalId: '120',
        amount: '150.5',
        reference: 'CHK-1',
        status: 'active',
        updatedAt: '2024-03-01T18:00:00.000Z',
        allocations: [
          { invoiceExternalId: '31', amount: '100' },
          { invoiceExternalId: '32', amount: '50.5' },
        ],
      },
    });
  });

  it('maps deleted and voided payments', () => {
    expect(mapPayment({ Id: '5', status: 'Deleted', domain: 'QBO' }, ctx)).toMatchObject({
      ok: true,
      value: { status: 'deleted' },
    });
    expect(mapPayment({ ...payment, TotalAmt: 0, PrivateNote: 'Voided' }, ctx)).toMatchObject({
      ok: true,
      value: { status: 'voided' },
    });
  });

  it('maps credit memos as open or applied from RemainingCredit', () => {
    const cm = {
      Id: '9',
      DocNumber: 'CM-1',
      CustomerRef: { value: '7' },
      TxnDate: '2024-02-01',
      TotalAmt: 40,
      RemainingCredit: 15,
    };
    expect(mapCreditMemo(cm, ctx)).toMatchObject({
      ok: true,
      value: { status: 'open', total: '40', remaining: '15' },
    });
    expect(mapCreditMemo({ ...cm, RemainingCredit: 0 }, ctx)).toMatchObject({
      ok: true,
      value: { status: 'applied' },
    });
    expect(mapCreditMemo({ ...cm, TxnDate: '02/01/2024' }, ctx)).toMatchObject({
      ok: false,
      error: { entity: 'creditNotes', externalId: '9' },
    });
  });
});
