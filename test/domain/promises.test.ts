import {
  checkPromise,
  keptScore,
  lastDayOfGrace,
  settlePromise,
  type PromisableInvoice,
  type SettlementInvoice,
} from '../../src/domain/promises';

const CUSTOMER = 'cust-a';
const inv = (id: string, balance: string, over: Partial<PromisableInvoice> = {}): PromisableInvoice => ({
  id,
  customerId: CUSTOMER,
  number: id.toUpperCase(),
  status: 'open',
  balance,
  currency: 'USD',
  ...over,
});
const rules = { customerId: CUSTOMER, today: '2026-11-20', maxDays: 30 };
const propose = (over: Partial<{ invoiceIds: string[]; amount: string; promisedDate: string }> = {}) => ({
  invoiceIds: ['i1', 'i2'],
  amount: '500.00',
  promisedDate: '2026-12-05',
  ...over,
});
const known = [inv('i1', '300.00'), inv('i2', '450.50')];

describe('checking a promise to pay', () => {
  it('accepts invoices of the customer, an amount up to their open balance and a date within the maximum', () => {
    expect(checkPromise(propose(), known, rules)).toEqual({
      ok: true,
      amount: '500.00',
      currency: 'USD',
      openTotal: '750.50',
      invoices: known,
    });
  });

  it('accepts exactly the open balance, today and the last allowed day', () => {
    expect(checkPromise(propose({ amount: '750.50' }), known, rules).ok).toBe(true);
    expect(checkPromise(propose({ promisedDate: '2026-11-20' }), known, rules).ok).toBe(true);
    expect(checkPromise(propose({ promisedDate: '2026-12-20' }), known, rules).ok).toBe(true);
  });

  it('normalises the amount to the currency minor units and accepts thousands separators', () => {
    const ok = checkPromise(propose({ invoiceIds: ['i1'], amount: '1,000' }), [inv('i1', '2000')], rules);
    expect(ok).toMatchObject({ ok: true, amount: '1000.00' });
  });

  it.each([
    [{ invoiceIds: [] }, 'invoiceIds', 'choose at least one invoice'],
    [{ invoiceIds: ['i1', 'nope'] }, 'invoiceIds', 'one of the chosen invoices was not found'],
    [{ amount: '750.51' }, 'amount', 'more than the open balance of the chosen invoices (USD 750.50)'],
    [{ amount: '0' }, 'amount', 'the amount must be more than zero'],
    [{ amount: '-5' }, 'amount', 'the amount must be more than zero'],
    [{ amount: 'five hundred' }, 'amount', 'enter an amount such as 250.00'],
    [{ amount: '10.005' }, 'amount', 'USD amounts have at most 2 decimals'],
    [{ promisedDate: '2026-11-19' }, 'promisedDate', 'the date is in the past'],
    [{ promisedDate: '2026-12-21' }, 'promisedDate', 'no later than 2026-12-20 (30 days from today)'],
    [{ promisedDate: '2026-02-30' }, 'promisedDate', 'enter a date as YYYY-MM-DD'],
    [{ promisedDate: '05/12/2026' }, 'promisedDate', 'enter a date as YYYY-MM-DD'],
  ])('rejects %j on %s with a clear message', (over, field, message) => {
    const r = checkPromise(propose(over), known, rules);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.field).toBe(field);
    expect(r.ok === false && r.message).toContain(message);
  });

  it("treats another customer's invoice as not found", () => {
    const r = checkPromise(propose(), [inv('i1', '300'), inv('i2', '450', { customerId: 'cust-b' })], rules);
    expect(r).toEqual({
      ok: false,
      field: 'invoiceIds',
      message: 'one of the chosen invoices was not found',
    });
  });

  it('rejects paid, voided and zero-balance invoices by number', () => {
    for (const bad of [
      inv('i2', '0', { status: 'paid' }),
      inv('i2', '10', { status: 'voided' }),
      inv('i2', '0'),
    ]) {
      const r = checkPromise(propose(), [known[0]!, bad], rules);
      expect(r).toEqual({ ok: false, field: 'invoiceIds', message: 'invoice #I2 has nothing left to pay' });
    }
  });

  it('rejects invoices in two currencies and counts JPY without decimals', () => {
    const mixed = checkPromise(propose(), [known[0]!, inv('i2', '100', { currency: 'EUR' })], rules);
    expect(mixed.ok === false && mixed.message).toMatch(/one currency/);
    const yen = [inv('i1', '50000', { currency: 'JPY' })];
    expect(checkPromise(propose({ invoiceIds: ['i1'], amount: '100.5' }), yen, rules)).toMatchObject({
      ok: false,
      message: 'JPY amounts have no decimals',
    });
    expect(checkPromise(propose({ invoiceIds: ['i1'], amount: '20000' }), yen, rules)).toMatchObject({
      ok: true,
      amount: '20000',
    });
  });

  it('ignores a repeated invoice id', () => {
    expect(checkPromise(propose({ invoiceIds: ['i1', 'i1'], amount: '300' }), known, rules)).toMatchObject({
      ok: true,
      openTotal: '300.00',
    });
  });
});

describe('settling a promise', () => {
  const open = (
    atPromise: string,
    now: string,
    extra: Partial<SettlementInvoice> = {},
  ): SettlementInvoice => ({
    balanceAtPromise: atPromise,
    balanceNow: now,
    status: parseFloat(now) === 0 ? 'paid' : 'open',
    ...extra,
  });
  const promise = (invoices: SettlementInvoice[], amount = '500.00') => ({
    amount,
    promisedDate: '2026-12-05',
    graceDays: 3,
    invoices,
  });

  it('the last day of grace is the promised date plus the grace days', () => {
    expect(lastDayOfGrace('2026-12-05', 3)).toBe('2026-12-08');
    expect(lastDayOfGrace('2026-12-30', 5)).toBe('2027-01-04');
  });

  it('stays active while nothing is paid, up to and including the last day of grace', () => {
    const p = promise([open('800.00', '800.00')]);
    for (const day of ['2026-11-21', '2026-12-05', '2026-12-08'])
      expect(settlePromise(p, day)).toEqual({ status: 'active', paid: 0n, due: 5_000_000n });
  });

  it('is broken the day after the last day of grace when nothing was paid', () => {
    expect(settlePromise(promise([open('800.00', '800.00')]), '2026-12-09').status).toBe('broken');
  });

  it('is kept as soon as the promised amount is paid, even before the date', () => {
    const r = settlePromise(promise([open('800.00', '300.00')]), '2026-11-22');
    expect(r).toEqual({ status: 'kept', paid: 5_000_000n, due: 5_000_000n });
  });

  it('is kept when every invoice is paid off, across several invoices', () => {
    const r = settlePromise(promise([open('200.00', '0'), open('100.00', '0')], '300.00'), '2026-12-01');
    expect(r.status).toBe('kept');
    expect(r.paid).toBe(3_000_000n);
  });

  it('is partially kept after grace when part was paid, with the amount paid', () => {
    const p = promise([open('300.00', '300.00'), open('450.00', '250.00')]);
    expect(settlePromise(p, '2026-12-08')).toMatchObject({ status: 'active', paid: 2_000_000n });
    expect(settlePromise(p, '2026-12-09')).toEqual({
      status: 'partially_kept',
      paid: 2_000_000n,
      due: 5_000_000n,
    });
  });

  it('does not count a credit note as a payment, but it lowers what is owed', () => {
    // 800 owed, 500 promised; a 600 credit note leaves 200 owed: paying 200 keeps it
    const credited = open('800.00', '200.00', { creditedSincePromise: '600.00' });
    expect(settlePromise(promise([credited]), '2026-12-09')).toEqual({
      status: 'broken',
      paid: 0n,
      due: 2_000_000n,
    });
    const paidRest = open('800.00', '0', { creditedSincePromise: '600.00' });
    expect(settlePromise(promise([paidRest]), '2026-12-01')).toEqual({
      status: 'kept',
      paid: 2_000_000n,
      due: 2_000_000n,
    });
  });

  it('is cancelled when the invoices were fully credited or voided and nothing was paid', () => {
    const credited = open('500.00', '0', { creditedSincePromise: '500.00' });
    expect(settlePromise(promise([credited]), '2026-11-25').status).toBe('cancelled');
    const voided = open('500.00', '500.00', { status: 'voided' });
    expect(settlePromise(promise([voided]), '2026-11-25').status).toBe('cancelled');
  });

  it('leaves a voided invoice out: what was paid on the others decides', () => {
    const p = promise([open('400.00', '400.00', { status: 'voided' }), open('300.00', '0')]);
    expect(settlePromise(p, '2026-11-25')).toEqual({ status: 'kept', paid: 3_000_000n, due: 3_000_000n });
    const unpaid = promise([open('400.00', '0', { status: 'deleted' }), open('300.00', '300.00')]);
    expect(settlePromise(unpaid, '2026-12-09').status).toBe('broken');
  });

  it('never counts a balance that grew (an invoice edited upward) as a negative payment', () => {
    const p = promise([open('300.00', '350.00'), open('200.00', '0')], '500.00');
    expect(settlePromise(p, '2026-12-09')).toMatchObject({ status: 'partially_kept', paid: 2_000_000n });
  });
});

describe('the kept rate weight of one promise', () => {
  it('counts kept 1, broken 0, partially kept by its paid share; active and cancelled not at all', () => {
    expect(keptScore('kept', '500', '500')).toBe(1);
    expect(keptScore('broken', '500', '0')).toBe(0);
    expect(keptScore('partially_kept', '500', '200')).toBe(0.4);
    expect(keptScore('partially_kept', '300', '100')).toBe(0.3333);
    expect(keptScore('partially_kept', '500', '900')).toBe(1);
    expect(keptScore('active', '500', '0')).toBeNull();
    expect(keptScore('cancelled', '500', '0')).toBeNull();
  });
});
