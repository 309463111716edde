import nock from 'nock';
import { createQuickBooksConnector } from '../../../connectors/quickbooks';
import { requestIdFor } from '../../../connectors/quickbooks/client';
import { appendNote, noteLine, noteTag, paymentBody } from '../../../connectors/quickbooks/writeBack';
import { API, fakeContext } from './helpers';

const REALM = '9130350000000002';
const COMPANY = `/v3/company/${REALM}`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

const connector = () =>
  createQuickBooksConnector({
    clientId: 'c',
    clientSecret: 's',
    environment: 'sandbox',
    baseUrl: API,
    retry: { rateLimitWaitMs: 1, baseDelayMs: 1 },
  });

describe('appendNote', () => {
  const line = (n: number) => noteLine('2026-11-23', noteTag(`k${n}`), `Reminder ${n} sent`);

  it('appends below the firm text without touching it', () => {
    expect(appendNote('Call before 10am', line(1))).toBe(`Call before 10am\n${line(1)}`);
    expect(appendNote(null, line(1))).toBe(line(1));
  });

  it('drops the oldest Duely lines first to stay within 4000 characters, never the firm text', () => {
    const firm = 'F'.repeat(3000);
    let note = firm;
    for (let i = 0; i < 30; i++) note = appendNote(note, line(i));
    expect(note.length).toBeLessThanOrEqual(4000);
    expect(note.startsWith(firm + '\n')).toBe(true);
    expect(note.endsWith(line(29))).toBe(true);
    expect(note).not.toContain(`[${noteTag('k0')}]`);
  });

  it('shortens the new line when the firm text leaves little room, and refuses when none is left', () => {
    const note = appendNote('F'.repeat(3950), line(1));
    expect(note.length).toBeLessThanOrEqual(4000);
    expect(note).toContain(`[${noteTag('k1')}]`);
    expect(() => appendNote('F'.repeat(3990), line(1))).toThrow(
      expect.objectContaining({ kind: 'validation' }),
    );
  });
});

describe('QuickBooks writeNote', () => {
  const invoice = (syncToken: string, note?: string) => ({
    Invoice: {
      Id: '130',
      SyncToken: syncToken,
      ...(note !== undefined ? { PrivateNote: note } : {}),
      TotalAmt: 10,
      Balance: 10,
    },
  });

  it('re-reads and retries with the new SyncToken when the first update is stale', async () => {
    nock(API).get(`${COMPANY}/invoice/130`).query(true).reply(200, invoice('3', 'Firm note'));
    const bodies: Record<string, unknown>[] = [];
    nock(API)
      .post(`${COMPANY}/invoice`, (b: Record<string, unknown>) => (bodies.push(b), true))
      .query((q) => q.operation === 'update')
      .reply(400, {
        Fault: { Error: [{ Message: 'Stale Object Error', code: '5010' }], type: 'ValidationFault' },
      });
    nock(API).get(`${COMPANY}/invoice/130`).query(true).reply(200, invoice('4', 'Firm note edited'));
    nock(API)
      .post(`${COMPANY}/invoice`, (b: Record<string, unknown>) => (bodies.push(b), true))
      .query(true)
      .reply(200, invoice('5'));
    const ctx = fakeContext(REALM);
    await expect(
      connector().writeNote(ctx, {
        invoiceExternalId: '130',
        text: 'Reminder sent to ap@x.example',
        idempotencyKey: 'wb-1',
      }),
    ).resolves.toEqual({ externalId: '130' });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toMatchObject({ Id: '130', SyncToken: '4', sparse: true });
    expect(String(bodies[1]!.PrivateNote)).toMatch(
      /^Firm note edited\nDuely \d{4}-\d{2}-\d{2} \[[0-9a-f]{10}\]: Reminder sent to ap@x\.example$/,
    );
    expect(ctx.stats.apiCalls).toBe(4);
  });

  it('does not write a note whose tag is already on the invoice', async () => {
    const already = `Firm\n${noteLine('2026-11-20', noteTag('wb-2'), 'Promise recorded')}`;
    nock(API).get(`${COMPANY}/invoice/130`).query(true).reply(200, invoice('7', already));
    const ctx = fakeContext(REALM);
    await connector().writeNote(ctx, {
      invoiceExternalId: '130',
      text: 'Promise recorded',
      idempotencyKey: 'wb-2',
    });
    expect(ctx.stats.apiCalls).toBe(1);
  });
});

describe('QuickBooks createPayment', () => {
  const req = {
    customerExternalId: '7',
    date: '2026-11-23',
    currency: 'USD',
    amount: '150.10',
    allocations: [
      { invoiceExternalId: '31', amount: '100.00' },
      { invoiceExternalId: '32', amount: '50.10' },
    ],
    reference: 'pi_123',
    accountRef: null,
    idempotencyKey: 'payment-abc',
  };

  it('posts a Payment linked to the invoices with the requestid of the idempotency key', async () => {
    let posted: Record<string, unknown> = {};
    let requestid = '';
    nock(API)
      .post(`${COMPANY}/payment`, (b: Record<string, unknown>) => ((posted = b), true))
      .query((q) => ((requestid = String(q.requestid)), true))
      .reply(200, { Payment: { Id: '501', TotalAmt: 150.1 } });
    await expect(connector().createPayment(fakeContext(REALM), req)).resolves.toEqual({ externalId: '501' });
    expect(requestid).toBe(requestIdFor('payment-abc'));
    expect(posted).toMatchObject({
      CustomerRef: { value: '7' },
      TotalAmt: 150.1,
      TxnDate: '2026-11-23',
      Line: [
        { Amount: 100, LinkedTxn: [{ TxnId: '31', TxnType: 'Invoice' }] },
        { Amount: 50.1, LinkedTxn: [{ TxnId: '32', TxnType: 'Invoice' }] },
      ],
    });
    expect(JSON.stringify(posted)).toContain('"TotalAmt":150.1');
  });

  it('refuses a payment without invoices', () => {
    expect(() => paymentBody({ ...req, allocations: [] })).toThrow(
      expect.objectContaining({ kind: 'validation' }),
    );
  });

  it('rejects a PDF answer that is not a PDF', async () => {
    nock(API)
      .get(`${COMPANY}/invoice/9/pdf`)
      .query(true)
      .reply(200, Buffer.from('<html>'), { 'Content-Type': 'application/pdf' });
    await expect(connector().getInvoicePdf(fakeContext(REALM), '9')).rejects.toMatchObject({
      kind: 'permanent',
    });
  });
});
