import {
  checkAllocations,
  fromStripeAmount,
  normaliseAmountInput,
  toStripeAmount,
  type PayableInvoice,
} from '../../src/domain/onlinePayment';
import { parseMoney } from '../../src/domain/money';

const inv = (id: string, over: Partial<PayableInvoice> = {}): PayableInvoice => ({
  id,
  number: `INV-${id}`,
  currency: 'USD',
  balance: '1200.00',
  status: 'open',
  ...over,
});
const book = (...list: PayableInvoice[]) => new Map(list.map((i) => [i.id, i]));

describe('Stripe amounts', () => {
  it('converts to the smallest unit Stripe charges, per currency', () => {
    expect(toStripeAmount(parseMoney('120.50'), 'USD')).toBe(12050);
    expect(toStripeAmount(parseMoney('500'), 'JPY')).toBe(500);
    expect(toStripeAmount(parseMoney('1.230'), 'KWD')).toBe(1230);
    // ISK has no minor unit in ISO 4217 but Stripe counts it in hundredths
    expect(toStripeAmount(parseMoney('500'), 'ISK')).toBe(50000);
    expect(fromStripeAmount(12050, 'usd')).toBe(parseMoney('120.50'));
    expect(fromStripeAmount(500, 'jpy')).toBe(parseMoney('500'));
  });

  it('refuses amounts Stripe cannot charge exactly', () => {
    expect(() => toStripeAmount(parseMoney('1.005'), 'USD')).toThrow(RangeError);
    expect(() => toStripeAmount(parseMoney('1.234'), 'KWD')).toThrow(/hundredths/);
  });

  it('reads amounts as people type them, never guessing at a decimal comma', () => {
    expect(normaliseAmountInput(' 1200.5 ')).toBe('1200.5');
    expect(normaliseAmountInput('1,200.50')).toBe('1200.50');
    expect(normaliseAmountInput('$120')).toBe('120');
    expect(normaliseAmountInput('1,5')).toBeNull();
    expect(normaliseAmountInput('-3')).toBeNull();
    expect(normaliseAmountInput('1e3')).toBeNull();
  });
});

describe('checkAllocations', () => {
  it('accepts part payments of several invoices in one currency', () => {
    const r = checkAllocations(book(inv('a'), inv('b', { balance: '80.00' })), [
      { invoiceId: 'a', amount: '100' },
      { invoiceId: 'b', amount: '80.0000' },
    ]);
    expect(r).toMatchObject({ ok: true, currency: 'USD', total: parseMoney('180') });
    if (r.ok)
      expect(r.lines.map((l) => [l.amount, l.stripeAmount])).toEqual([
        ['100.00', 10000],
        ['80.00', 8000],
      ]);
  });

  it.each([
    [[], 'allocations', /choose an invoice/],
    [[{ invoiceId: 'zzz', amount: '1' }], 'allocations.0.invoiceId', /no such open invoice/],
    [
      [
        { invoiceId: 'a', amount: '1' },
        { invoiceId: 'a', amount: '2' },
      ],
      'allocations.1.invoiceId',
      /listed twice/,
    ],
    [[{ invoiceId: 'paid', amount: '1' }], 'allocations.0.invoiceId', /already paid/],
    [[{ invoiceId: 'a', amount: 'ten' }], 'allocations.0.amount', /as a number/],
    [[{ invoiceId: 'a', amount: '0' }], 'allocations.0.amount', /more than zero/],
    [[{ invoiceId: 'a', amount: '10.005' }], 'allocations.0.amount', /at most 2 decimals/],
    [
      [{ invoiceId: 'a', amount: '1200.01' }],
      'allocations.0.amount',
      /more than its balance of USD 1,200.00/,
    ],
    [[{ invoiceId: 'jpy', amount: '10.5' }], 'allocations.0.amount', /JPY amounts have no decimals/],
    [
      [
        { invoiceId: 'a', amount: '10' },
        { invoiceId: 'eur', amount: '10' },
      ],
      'allocations',
      /one currency at a time \(USD and EUR chosen\)/,
    ],
    [[{ invoiceId: 'a', amount: '0.20' }], 'allocations', /start at USD 0.50/],
  ])('rejects %j on %s with a clear message', (allocations, field, message) => {
    const r = checkAllocations(
      book(
        inv('a'),
        inv('paid', { status: 'paid', balance: '0' }),
        inv('jpy', { currency: 'JPY', balance: '5000' }),
        inv('eur', { currency: 'EUR' }),
      ),
      allocations,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.message).toMatch(message);
    }
  });
});
