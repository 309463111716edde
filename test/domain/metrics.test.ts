import {
  averageDaysDelinquent,
  bestPossibleDso,
  collectionEffectivenessIndex,
  dsoCountback,
  dsoStandard,
  expectedCash,
  promiseKeptRate,
  ratio1,
} from '../../src/domain/metrics';
import { parseMoney } from '../../src/domain/money';

const m = (v: string | number) => parseMoney(v);

describe('DSO, standard method', () => {
  it('is 45 days for 15,000 of AR on 10,000 of credit sales over 30 days', () => {
    expect(dsoStandard(m(15_000), m(10_000), 30)).toBe(45);
  });

  it('rounds to one decimal, half away from zero, without float drift', () => {
    // 10,000 / 30,000 × 90 = 30 exactly; 1 / 3 × 10 = 3.333… → 3.3; 0.05 × 30 / 1 → 1.5
    expect(dsoStandard(m(10_000), m(30_000), 90)).toBe(30);
    expect(dsoStandard(m(1), m(3), 10)).toBe(3.3);
    expect(dsoStandard(m(2), m(3), 10)).toBe(6.7);
    expect(dsoStandard(m('0.01'), m('0.2'), 1)).toBe(0.1); // 0.05 rounds up
    expect(dsoStandard(m(12_345), m(9_876), 91)).toBe(113.8); // exactly 113.75
    expect(dsoStandard(m('1234567890.12'), m('987654321.98'), 91)).toBe(113.7); // 113.7499988…
  });

  it('is not measurable (null) without credit sales, and 0 without receivables', () => {
    expect(dsoStandard(m(5_000), 0n, 30)).toBeNull();
    expect(dsoStandard(0n, m(5_000), 30)).toBe(0);
  });

  it('refuses a period of zero or fractional days', () => {
    expect(() => dsoStandard(m(1), m(1), 0)).toThrow(RangeError);
    expect(() => dsoStandard(m(1), m(1), 1.5)).toThrow(RangeError);
  });
});

describe('DSO, countback method', () => {
  const months = (...sales: number[]) => sales.map((s) => ({ sales: m(s), days: 30 }));

  it('is 73.7 days for 212,000 of AR over monthly sales 100,000 (latest), 80,000, 70,000', () => {
    expect(dsoCountback(m(212_000), months(100_000, 80_000, 70_000))).toEqual({
      days: 73.7,
      exhausted: true,
    });
  });

  it('takes only part of the latest month when AR is smaller than its sales', () => {
    expect(dsoCountback(m(50_000), months(100_000, 80_000))).toEqual({ days: 15, exhausted: true });
  });

  it('counts a whole month when AR equals its sales exactly', () => {
    expect(dsoCountback(m(180_000), months(100_000, 80_000, 70_000)).days).toBe(60);
  });

  it('uses each month’s own number of days', () => {
    const periods = [
      { sales: m(31_000), days: 31 },
      { sales: m(28_000), days: 28 },
    ];
    // 31 + 14,000 / 28,000 × 28 = 45
    expect(dsoCountback(m(45_000), periods).days).toBe(45);
  });

  it('walks over months without sales', () => {
    expect(dsoCountback(m(10_000), [...months(0), ...months(20_000)]).days).toBe(45);
  });

  it('gives a lower bound, flagged, when AR exceeds every month given', () => {
    expect(dsoCountback(m(500_000), months(100_000, 80_000))).toEqual({ days: 60, exhausted: false });
  });

  it('is 0 without receivables', () => {
    expect(dsoCountback(0n, months(100_000))).toEqual({ days: 0, exhausted: true });
  });
});

describe('best possible DSO and average days delinquent', () => {
  it('counts only the current (not yet due) receivables', () => {
    // 15,000 of AR of which 6,000 not yet due, on 10,000 of sales over 30 days
    expect(bestPossibleDso(m(6_000), m(10_000), 30)).toBe(18);
  });

  it('ADD is DSO minus best possible DSO', () => {
    const dso = dsoStandard(m(15_000), m(10_000), 30);
    const best = bestPossibleDso(m(6_000), m(10_000), 30);
    expect(averageDaysDelinquent(dso, best)).toBe(27);
  });

  it('ADD subtracts in tenths (no 15.199999)', () => {
    expect(averageDaysDelinquent(45.3, 30.1)).toBe(15.2);
    expect(averageDaysDelinquent(73.7, 73.7)).toBe(0);
  });

  it('ADD is null when either side is not measurable', () => {
    expect(averageDaysDelinquent(null, 10)).toBeNull();
    expect(averageDaysDelinquent(10, null)).toBeNull();
  });
});

describe('collection effectiveness index', () => {
  it('is 63.6 % for beginning AR 500,000, sales 300,000, ending AR 450,000 of which 250,000 current', () => {
    // (500 + 300 − 450) / (500 + 300 − 250) = 350 / 550
    expect(
      collectionEffectivenessIndex({
        beginningAr: m(500_000),
        creditSales: m(300_000),
        endingAr: m(450_000),
        endingCurrentAr: m(250_000),
      }),
    ).toBe(63.6);
  });

  it('is 100 % when everything overdue was collected', () => {
    expect(
      collectionEffectivenessIndex({
        beginningAr: m(1_000),
        creditSales: m(2_000),
        endingAr: m(800),
        endingCurrentAr: m(800),
      }),
    ).toBe(100);
  });

  it('is null when nothing was collectible', () => {
    expect(
      collectionEffectivenessIndex({
        beginningAr: 0n,
        creditSales: m(500),
        endingAr: m(500),
        endingCurrentAr: m(500),
      }),
    ).toBeNull();
  });
});

describe('promise-kept rate', () => {
  it('is null when there are no promises with a known outcome', () => {
    expect(promiseKeptRate([])).toBeNull();
    expect(promiseKeptRate(['open', 'cancelled'])).toBeNull();
  });

  it('is the share of kept among kept and broken promises, in percent', () => {
    expect(promiseKeptRate(['kept', 'kept', 'broken', 'open', 'cancelled'])).toBe(66.7);
    expect(promiseKeptRate(['kept'])).toBe(100);
    expect(promiseKeptRate(['broken'])).toBe(0);
  });
});

describe('expected cash of the next four weeks', () => {
  it('puts open balances in the week of their due date, and promises on their dates', () => {
    const weeks = expectedCash(
      '2026-11-20',
      [
        { date: '2026-11-19', amount: m(999) }, // overdue: not forecast
        { date: '2026-11-20', amount: m(100) }, // day 0: week 1
        { date: '2026-11-26', amount: m('50.25') }, // day 6: week 1
        { date: '2026-11-27', amount: m(200) }, // day 7: week 2
        { date: '2026-12-17', amount: m(300) }, // day 27: week 4
        { date: '2026-12-18', amount: m(777) }, // day 28: beyond
      ],
      [{ date: '2026-12-05', amount: m(40) }], // day 15: week 3
    );
    expect(weeks.map((w) => [w.from, w.to])).toEqual([
      ['2026-11-20', '2026-11-26'],
      ['2026-11-27', '2026-12-03'],
      ['2026-12-04', '2026-12-10'],
      ['2026-12-11', '2026-12-17'],
    ]);
    expect(weeks.map((w) => w.fromDueDates)).toEqual([m('150.25'), m(200), 0n, m(300)]);
    expect(weeks.map((w) => w.fromPromises)).toEqual([0n, 0n, m(40), 0n]);
    expect(weeks.map((w) => w.total)).toEqual([m('150.25'), m(200), m(40), m(300)]);
  });
});

describe('ratio1', () => {
  it('rounds negative ratios symmetrically', () => {
    expect(ratio1(-1n, 4n)).toBe(-0.3); // −0.25 → −0.3
    expect(ratio1(1n, -4n)).toBe(-0.3);
    expect(ratio1(0n, -4n)).toBe(0);
    expect(ratio1(1n, 0n)).toBeNull();
  });
});
