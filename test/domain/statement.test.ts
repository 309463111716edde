import { buildStatements, type StatementEntry } from '../../src/domain/statement';

const e = (
  kind: StatementEntry['kind'],
  date: string,
  amount: string,
  currency = 'USD',
  reference: string = kind,
) => ({
  kind,
  id: `${kind}-${date}-${amount}`,
  date,
  reference,
  currency,
  amount,
});

describe('statement of account', () => {
  it('runs the balance from the opening balance: invoices add, payments and credit notes subtract', () => {
    const [usd] = buildStatements(new Map([['USD', '100.5']]), [
      e('payment', '2026-11-03', '60.50'),
      e('invoice', '2026-11-01', '200'),
      e('credit_note', '2026-11-02', '40'),
    ]);
    expect(usd!.opening).toBe('100.50');
    expect(usd!.lines.map((l) => [l.kind, l.debit, l.credit, l.balance])).toEqual([
      ['invoice', '200.00', null, '300.50'],
      ['credit_note', null, '40.00', '260.50'],
      ['payment', null, '60.50', '200.00'],
    ]);
    expect([usd!.debits, usd!.credits, usd!.closing]).toEqual(['200.00', '100.50', '200.00']);
  });

  it('lists same-day invoices before credit notes before payments, references in natural order', () => {
    const [s] = buildStatements(new Map(), [
      e('payment', '2026-11-01', '5', 'USD', 'P'),
      e('invoice', '2026-11-01', '1', 'USD', 'INV-10'),
      e('credit_note', '2026-11-01', '1', 'USD', 'CN'),
      e('invoice', '2026-11-01', '1', 'USD', 'INV-9'),
    ]);
    expect(s!.lines.map((l) => l.reference)).toEqual(['INV-9', 'INV-10', 'CN', 'P']);
    expect(s!.closing).toBe('-4.00');
  });

  it('keeps one statement per currency, never converted, with the currency’s minor units', () => {
    const out = buildStatements(new Map([['JPY', '1000']]), [
      e('invoice', '2026-11-01', '12.345', 'KWD'),
      e('invoice', '2026-11-01', '500', 'JPY'),
    ]);
    expect(out.map((s) => [s.currency, s.opening, s.closing])).toEqual([
      ['JPY', '1000', '1500'],
      ['KWD', '0.000', '12.345'],
    ]);
  });

  it('has an opening and closing balance even for a period without entries', () => {
    expect(buildStatements(new Map([['EUR', '42']]), [])).toEqual([
      { currency: 'EUR', opening: '42.00', lines: [], debits: '0.00', credits: '0.00', closing: '42.00' },
    ]);
  });
});
