import { buildReceipt, type ReceiptData } from '../../src/services/payments/receipt';

const data: ReceiptData = {
  firm: { name: 'Acme & Sons', color: '#123456', signature: null, replyTo: 'ar@acme.example' },
  customerName: '<script>alert(1)</script> Ltd',
  date: '2026-11-20',
  currency: 'USD',
  amount: '1320.50',
  method: 'card',
  reference: 'pi_test_123',
  lines: [
    { number: 'INV-1', amount: '1000.00', balanceAfter: '200.00' },
    { number: null, amount: '320.50', balanceAfter: '0' },
  ],
  portalUrl: 'https://ar.example.com/portal',
};

describe('payment receipt', () => {
  it('says what was paid, how, against which invoices and what each still owes', () => {
    const r = buildReceipt(data);
    expect(r.subject).toBe('Payment received: USD 1,320.50 — thank you');
    expect(r.text).toContain('we have received your payment of USD 1,320.50 by card on 2026-11-20');
    expect(r.text).toContain('Invoice INV-1: paid USD 1,000.00, balance now USD 200.00');
    expect(r.text).toContain('Invoice without number: paid USD 320.50, balance now USD 0.00');
    expect(r.text).toContain('Payment reference: pi_test_123');
    expect(r.text).toContain('write to ar@acme.example');
    expect(buildReceipt({ ...data, method: 'us_bank_account' }).text).toContain('by bank transfer (ACH)');
  });

  it('escapes everything in the HTML part', () => {
    const { html } = buildReceipt(data);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Ltd');
    expect(html).toContain('Acme &amp; Sons');
    expect(html).toContain('border-top:4px solid #123456');
    expect(
      buildReceipt({ ...data, firm: { ...data.firm, color: 'red;background:url(x)' } }).html,
    ).not.toContain('url(x)');
  });
});
