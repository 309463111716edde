import nock from 'nock';

import { createXeroConnector } from '../../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../../connectors/xero/emulator';
import { splitNote } from '../../../connectors/xero/writeBack';
import { emulatorContext } from './helpers';

describe('History note splitting', () => {
  it('keeps a short note whole and splits a long one on word boundaries, numbered', () => {
    expect(splitNote('Reminder sent on 2026-11-20.')).toEqual(['Reminder sent on 2026-11-20.']);
    const long = Array.from({ length: 90 }, (_, i) => `word${i}`).join(' ');
    const parts = splitNote(long);
    expect(parts.length).toBe(3);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(250);
      expect(p.startsWith(`(${i + 1}/3) `)).toBe(true);
    });
    expect(parts.map((p) => p.replace(/^\(\d+\/\d+\) /, '')).join(' ')).toBe(long);
    expect(splitNote('x'.repeat(600)).every((p) => p.length <= 250)).toBe(true);
  });
});

describe('Xero write-back against the emulator', () => {
  let emu: XeroEmulator;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    emu = await startXeroEmulator({
      clientId: 'c',
      clientSecret: 's',
      company: { seed: 11, customers: 10, invoices: 40, asOf: '2026-11-20' },
    });
  });
  afterAll(async () => {
    await emu.close();
    nock.enableNetConnect();
  });
  const setup = () => {
    const c = createXeroConnector({
      clientId: 'c',
      clientSecret: 's',
      baseUrl: emu.url,
      retry: { baseDelayMs: 5 },
    });
    return { c, ctx: emulatorContext(c, emu.issueRefreshToken(), emu.tenantId) };
  };
  const openInvoice = (n = 0) =>
    emu
      .books()
      .invoices.filter(
        (i) => i.type === 'ACCREC' && i.status === 'AUTHORISED' && emu.books().amountDue(i) > 0n,
      )[n]!;

  it('writes a long note as several History records, once, even when retried', async () => {
    const { c, ctx } = setup();
    const inv = openInvoice();
    const text = `Promise to pay recorded: ${'the customer explained the delay at length. '.repeat(10)}`;
    await c.writeNote(ctx, { invoiceExternalId: inv.id, text, idempotencyKey: 'note-1' });
    await c.writeNote(ctx, { invoiceExternalId: inv.id, text, idempotencyKey: 'note-1' });
    const history = inv.history ?? [];
    expect(history.length).toBe(splitNote(text).length);
    expect(history.length).toBeGreaterThan(1);
    expect(history.every((h) => h.details.length <= 250)).toBe(true);
  });

  it('finishes a half-written note without duplicating the part already there', async () => {
    const { c, ctx } = setup();
    const inv = openInvoice(1);
    const text = 'Call outcome: '.concat('left a message with accounts payable. '.repeat(9));
    const parts = splitNote(text);
    inv.history = [{ details: parts[0]!, changes: 'Note', dateMs: Date.now() }];
    await c.writeNote(ctx, { invoiceExternalId: inv.id, text, idempotencyKey: 'note-2' });
    expect(inv.history.map((h) => h.details)).toEqual(parts);
  });

  it('creates one payment per invoice, reduces AmountDue, and does not pay twice on retry', async () => {
    const { c, ctx } = setup();
    const a = openInvoice(2);
    const b = openInvoice(3);
    const dueA = emu.books().amountDue(a);
    const req = {
      customerExternalId: a.contactId,
      date: '2026-11-21',
      currency: 'USD',
      amount: '30',
      allocations: [
        { invoiceExternalId: a.id, amount: '10' },
        { invoiceExternalId: b.id, amount: '20' },
      ],
      reference: 'Portal payment pi_123',
      accountRef: '090',
      idempotencyKey: 'pay-1',
    };
    const first = await c.createPayment(ctx, req);
    const again = await c.createPayment(ctx, req);
    expect(first.externalId.split(',')).toHaveLength(2);
    expect(again).toEqual(first);
    expect(emu.books().amountDue(a)).toBe(dueA - 10n * 10_000n);
    expect(emu.books().payments.filter((p) => p.reference === 'Portal payment pi_123')).toHaveLength(2);
  });

  it('reports Xero’s validation error when a payment exceeds the amount due', async () => {
    const { c, ctx } = setup();
    const a = openInvoice(4);
    await expect(
      c.createPayment(ctx, {
        customerExternalId: a.contactId,
        date: '2026-11-21',
        currency: 'USD',
        amount: '99999999',
        allocations: [{ invoiceExternalId: a.id, amount: '99999999' }],
        reference: null,
        accountRef: '090',
        idempotencyKey: 'pay-2',
      }),
    ).rejects.toMatchObject({
      kind: 'validation',
      message: expect.stringContaining('exceeds the amount outstanding'),
    });
  });

  it('downloads the invoice PDF', async () => {
    const { c, ctx } = setup();
    const pdf = await c.getInvoicePdf(ctx, openInvoice().id);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
