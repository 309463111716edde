import { eq } from 'drizzle-orm';
import {
  customers,
  invoices,
  organizations,
  paymentAllocations,
  payments,
  promises,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { agingReport } from '../../src/services/reports/aging';
import { expectedCashReport, metricsReport } from '../../src/services/reports/metrics';
import { ValidationError } from '../../src/services/errors';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

type Status = 'open' | 'paid' | 'voided' | 'deleted';

interface Inv {
  ext: string;
  issue: string;
  due: string;
  total: string;
  balance?: string;
  status?: Status;
  currency?: string;
  customerId?: string;
}

async function addInvoices(scope: OrgScope, firm: Firm, list: Inv[]): Promise<Map<string, string>> {
  const rows = await scope
    .insert(
      invoices,
      list.map((i) => ({
        connectionId: firm.connectionId,
        externalId: i.ext,
        customerId: i.customerId ?? firm.customerId,
        number: i.ext,
        currency: i.currency ?? 'USD',
        issueDate: i.issue,
        dueDate: i.due,
        total: i.total,
        balance: i.balance ?? i.total,
        status: i.status ?? 'open',
        platformStatus: 'x',
      })),
    )
    .returning({ id: invoices.id, ext: invoices.externalId });
  return new Map(rows.map((r) => [r.ext, r.id]));
}

async function pay(
  scope: OrgScope,
  firm: Firm,
  ext: string,
  date: string,
  invoiceId: string,
  amount: string,
) {
  const [p] = await scope
    .insert(payments, { connectionId: firm.connectionId, externalId: ext, date, amount, currency: 'USD' })
    .returning({ id: payments.id });
  await scope.insert(paymentAllocations, { paymentId: p!.id, invoiceId, invoiceExternalId: ext, amount });
}

describe('aging report', () => {
  let t: TestApp;
  let firm: Firm;
  let scope: OrgScope;
  let second: string;
  const now = new Date('2026-11-20T12:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ now: () => now });
    firm = await seedFirm(t.app, 'Aging Associates'); // INV-1: 1200.00 USD due 2026-10-31 (20 days past)
    scope = new OrgScope(t.app.db, firm.id);
    const [c2] = await scope
      .insert(customers, { connectionId: firm.connectionId, externalId: '2', name: 'Zeta Zinc' })
      .returning({ id: customers.id });
    second = c2!.id;
    await addInvoices(scope, firm, [
      { ext: 'due-today', issue: '2026-10-01', due: '2026-11-20', total: '10.00' },
      { ext: 'due-yesterday', issue: '2026-10-01', due: '2026-11-19', total: '100.00' },
      { ext: 'past-30', issue: '2026-09-01', due: '2026-10-21', total: '1000.00' },
      { ext: 'past-31', issue: '2026-09-01', due: '2026-10-20', total: '10000.00' },
      { ext: 'past-90', issue: '2026-07-01', due: '2026-08-22', total: '0.01' },
      { ext: 'past-91', issue: '2026-07-01', due: '2026-08-21', total: '0.10' },
      { ext: 'partly-paid', issue: '2026-11-01', due: '2026-12-01', total: '500.00', balance: '250.50' },
      { ext: 'paid', issue: '2026-10-01', due: '2026-10-02', total: '999.00', balance: '0', status: 'paid' },
      { ext: 'voided', issue: '2026-10-01', due: '2026-10-02', total: '888.00', status: 'voided' },
      { ext: 'deleted', issue: '2026-10-01', due: '2026-10-02', total: '777.00', status: 'deleted' },
      { ext: 'second', issue: '2026-11-10', due: '2026-11-15', total: '5000.00', customerId: second },
      { ext: 'eur', issue: '2026-11-01', due: '2026-11-10', total: '42.5', currency: 'EUR' },
      { ext: 'jpy', issue: '2026-11-01', due: '2026-12-10', total: '5000', currency: 'JPY' },
    ]);
  });
  afterAll(() => t.close());

  it('buckets open balances by days past the due date: due yesterday and 30 days past are 1-30, 31 is 31-60, 91 is 90+', async () => {
    const r = await agingReport(scope, { now });
    expect(r.asOf).toBe('2026-11-20');
    expect(r.currency).toBe('USD');
    expect(r.buckets).toEqual({
      current: '260.50', // due today 10.00 + not yet due 250.50 (the open balance, not the total)
      '1-30': '7300.00', // yesterday 100 + 30 days 1000 + INV-1 1200 (20 days) + second 5000 (5 days)
      '31-60': '10000.00',
      '61-90': '0.01',
      '90+': '0.10',
    });
    expect(r.total).toBe('17560.61');
  });

  it('lists each customer with its buckets, the largest balance first', async () => {
    const r = await agingReport(scope, { now });
    expect(r.byCustomer).toEqual([
      {
        customerId: firm.customerId,
        name: 'Aging Associates Customer',
        buckets: {
          current: '260.50',
          '1-30': '2300.00',
          '31-60': '10000.00',
          '61-90': '0.01',
          '90+': '0.10',
        },
        total: '12560.61',
      },
      {
        customerId: second,
        name: 'Zeta Zinc',
        buckets: { current: '0.00', '1-30': '5000.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00' },
        total: '5000.00',
      },
    ]);
  });

  it('reports other currencies apart, in their own minor units, never added to the base currency', async () => {
    const r = await agingReport(scope, { now });
    expect(r.byCurrency.map((c) => [c.currency, c.total, c.buckets])).toEqual([
      ['EUR', '42.50', { current: '0.00', '1-30': '42.50', '31-60': '0.00', '61-90': '0.00', '90+': '0.00' }],
      ['JPY', '5000', { current: '5000', '1-30': '0', '31-60': '0', '61-90': '0', '90+': '0' }],
    ]);
    expect(r.byCurrency[0]!.byCustomer).toHaveLength(1);
  });

  it('ages as of an earlier date, leaving out invoices not yet issued then', async () => {
    const r = await agingReport(scope, { now, asOf: '2026-10-20' });
    expect(r.asOf).toBe('2026-10-20');
    // issued by 2026-10-20: past-30 (due 10-21: current), past-31 (due 10-20: current), INV-1, due-today,
    // due-yesterday (due in November: current), past-90 (59 days: 31-60), past-91 (60 days: 31-60)
    expect(r.buckets).toEqual({
      current: '12310.00',
      '1-30': '0.00',
      '31-60': '0.11',
      '61-90': '0.00',
      '90+': '0.00',
    });
    expect(r.byCustomer.map((c) => c.customerId)).toEqual([firm.customerId]);
  });

  it('takes today in the firm’s time zone when no date is given', async () => {
    await t.app.db
      .update(organizations)
      .set({ timezone: 'Pacific/Auckland' })
      .where(eq(organizations.id, firm.id));
    try {
      // 12:00 UTC on 20 November is already 21 November in Auckland: due yesterday is now 2 days past
      const r = await agingReport(scope, { now });
      expect(r.asOf).toBe('2026-11-21');
      expect(r.buckets.current).toBe('250.50');
    } finally {
      await t.app.db.update(organizations).set({ timezone: 'UTC' }).where(eq(organizations.id, firm.id));
    }
  });

  it('refuses a date that is not a real YYYY-MM-DD day', async () => {
    for (const asOf of ['2026-02-30', '20261120', 'yesterday', '2026-11-20T00:00:00Z']) {
      await expect(agingReport(scope, { now, asOf })).rejects.toThrow(ValidationError);
    }
    await expect(agingReport(scope, { now, asOf: '2026-02-30' })).rejects.toThrow(
      'asOf: must be a date written YYYY-MM-DD, got "2026-02-30"',
    );
  });
});

describe('metrics report', () => {
  let t: TestApp;
  let firm: Firm;
  let scope: OrgScope;
  const now = new Date('2026-12-10T09:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ now: () => now });
    firm = await seedFirm(t.app, 'Metrics Mill');
    scope = new OrgScope(t.app.db, firm.id);
    await scope.delete(invoices); // start from an empty ledger
    const ids = await addInvoices(scope, firm, [
      { ext: 'A', issue: '2026-08-15', due: '2026-09-14', total: '1000', balance: '0', status: 'paid' },
      { ext: 'B', issue: '2026-09-05', due: '2026-10-05', total: '3000', balance: '1000' },
      { ext: 'C', issue: '2026-10-10', due: '2026-11-09', total: '5000' },
      { ext: 'D', issue: '2026-11-15', due: '2026-12-15', total: '6000', balance: '4000' },
      { ext: 'E', issue: '2026-11-20', due: '2026-12-20', total: '9999', status: 'voided' },
      { ext: 'F', issue: '2026-11-01', due: '2026-12-01', total: '7777', currency: 'EUR' },
      { ext: 'G', issue: '2026-12-01', due: '2026-12-31', total: '4000' },
    ]);
    await pay(scope, firm, 'pA', '2026-09-10', ids.get('A')!, '1000');
    await pay(scope, firm, 'pB', '2026-12-02', ids.get('B')!, '2000'); // after the period: rolled back
    await pay(scope, firm, 'pD', '2026-11-25', ids.get('D')!, '2000');
  });
  afterAll(() => t.close());

  // Period 2026-09-01 … 2026-11-30 (91 days). Credit sales: B 3000 + C 5000 + D 6000 = 14000.
  // AR at 11-30: B 1000 (+2000 paid on 12-02) + C 5000 + D 4000 = 12000; current (due ≥ 11-30): D 4000.
  // AR at 08-31: A 1000 (paid on 09-10).
  it('computes DSO, best possible DSO, ADD and CEI from the firm’s invoices and payments', async () => {
    const r = await metricsReport(scope, { now, from: '2026-09-01', to: '2026-11-30' });
    expect(r).toMatchObject({
      from: '2026-09-01',
      to: '2026-11-30',
      currency: 'USD',
      dso: {
        standard: 78, // 12000 / 14000 × 91
        countback: 71, // Nov 6000 (30 d) + Oct 5000 (31 d) + 1000 / 3000 of Sep (10 d)
      },
      bestPossibleDso: 26, // 4000 / 14000 × 91
      add: 52,
      cei: 27.3, // (1000 + 14000 − 12000) / (1000 + 14000 − 4000) = 3000 / 11000
      promiseKeptRate: null,
    });
  });

  it('gives a six-month trend with AR at each month end rolled back by later payments', async () => {
    const r = await metricsReport(scope, { now, from: '2026-09-01', to: '2026-11-30' });
    expect(r.trend).toEqual([
      {
        month: '2026-06',
        asOf: '2026-06-30',
        ar: '0.00',
        creditSales: '0.00',
        dsoStandard: null,
        dsoCountback: null,
      },
      {
        month: '2026-07',
        asOf: '2026-07-31',
        ar: '0.00',
        creditSales: '0.00',
        dsoStandard: null,
        dsoCountback: null,
      },
      {
        month: '2026-08',
        asOf: '2026-08-31',
        ar: '1000.00',
        creditSales: '1000.00',
        dsoStandard: 31,
        dsoCountback: 31,
      },
      {
        month: '2026-09',
        asOf: '2026-09-30',
        ar: '3000.00',
        creditSales: '3000.00',
        dsoStandard: 30,
        dsoCountback: 30,
      },
      {
        month: '2026-10',
        asOf: '2026-10-31',
        ar: '8000.00',
        creditSales: '5000.00',
        dsoStandard: 49.6,
        dsoCountback: 61,
      },
      {
        month: '2026-11',
        asOf: '2026-11-30',
        ar: '12000.00',
        creditSales: '6000.00',
        dsoStandard: 60,
        dsoCountback: 71,
      },
    ]);
  });

  it('defaults to the 90 days ending today in the firm’s time zone', async () => {
    const r = await metricsReport(scope, { now });
    expect([r.from, r.to]).toEqual(['2026-09-12', '2026-12-10']);
    expect(r.trend.at(-1)).toMatchObject({ month: '2026-12', asOf: '2026-12-10', creditSales: '4000.00' });
  });

  it('answers null, not zero, for a period without credit sales', async () => {
    const r = await metricsReport(scope, { now, from: '2025-01-01', to: '2025-03-31' });
    expect(r.dso).toEqual({ standard: null, countback: null });
    expect(r.bestPossibleDso).toBeNull();
    expect(r.add).toBeNull();
    expect(r.cei).toBeNull();
  });

  it('refuses bad dates, a reversed period and a period over ten years', async () => {
    await expect(metricsReport(scope, { now, from: '2026-13-01' })).rejects.toThrow('from: must be a date');
    await expect(metricsReport(scope, { now, to: '2026-11-31' })).rejects.toThrow('to: must be a date');
    await expect(metricsReport(scope, { now, from: '2026-11-02', to: '2026-11-01' })).rejects.toThrow(
      'from (2026-11-02) is after to (2026-11-01)',
    );
    await expect(metricsReport(scope, { now, from: '2010-01-01', to: '2026-11-01' })).rejects.toThrow(
      /longer than 3660 days/,
    );
  });

  it('expects the open balances of the next four weeks on their due dates', async () => {
    const r = await expectedCashReport(scope, { now });
    expect(r.asOf).toBe('2026-12-10');
    expect(r.weeks.map((w) => [w.from, w.to, w.total])).toEqual([
      ['2026-12-10', '2026-12-16', '4000.00'], // D, due 12-15, its open balance
      ['2026-12-17', '2026-12-23', '0.00'],
      ['2026-12-24', '2026-12-30', '0.00'],
      ['2026-12-31', '2027-01-06', '4000.00'], // G, due 12-31
    ]);
  });

  it('reports the promise-kept rate of the promises due in the period, read live between syncs', async () => {
    const before = await metricsReport(scope, { now });
    expect(before.promiseKeptRate).toBeNull();
    const p = {
      customerId: firm.customerId,
      currency: 'USD',
      graceDays: 3,
      source: 'portal' as const,
    };
    // kept (1), partly kept with 250 of 1000 (0.25), broken (0), cancelled (left out), outside the period
    await scope.insert(promises, [
      { ...p, amount: '500.00', amountPaid: '500.00', promisedDate: '2026-11-20', status: 'kept' },
      { ...p, amount: '1000.00', amountPaid: '250.00', promisedDate: '2026-11-25', status: 'partially_kept' },
      { ...p, amount: '300.00', promisedDate: '2026-12-01', status: 'broken' },
      { ...p, amount: '300.00', promisedDate: '2026-12-02', status: 'cancelled' },
      { ...p, amount: '300.00', promisedDate: '2025-01-02', status: 'broken' },
    ]);
    const after = await metricsReport(scope, { now });
    expect(after.promiseKeptRate).toBe(41.7); // (1 + 0.25 + 0) / 3
    expect(after.dso).toEqual(before.dso);
  });
});
