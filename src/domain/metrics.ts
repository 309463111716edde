/**
 * Collection metrics as pure functions: DSO (standard and countback), best possible DSO, average
 * days delinquent (ADD), collection effectiveness index (CEI), promise-kept rate and the expected
 * cash of the next four weeks.
 *
 * Money is exact (bigint micros from `./money`); ratios are computed exactly in bigint and rounded
 * once, half away from zero, to one decimal. A ratio whose denominator is zero (no credit sales,
 * nothing collectible) is `null`: "not measurable", never 0 or Infinity.
 *
 * Convention for credit sales (used by the services that feed these functions): the total of the
 * invoices *issued* in the period (by issue date), whatever they have become since, excluding
 * voided and deleted invoices. Credit notes are not netted off.
 */
import { addDays, daysBetween, type LocalDate } from './calendar/localDate';
import type { Micros } from './money';

/** `num / den` rounded half away from zero to one decimal, exactly; null when `den` is 0. */
export function ratio1(num: bigint, den: bigint): number | null {
  if (den === 0n) return null;
  const neg = num < 0n !== den < 0n;
  const n = (num < 0n ? -num : num) * 10n;
  const d = den < 0n ? -den : den;
  const tenths = (n + d / 2n) / d;
  const value = Number(tenths) / 10;
  return neg && value !== 0 ? -value : value;
}

/**
 * DSO by the standard method: receivables at the end of the period divided by the credit sales
 * of the period, times the days in the period. 15,000 of AR on 10,000 of sales over 30 days = 45.
 */
export function dsoStandard(ar: Micros, creditSales: Micros, days: number): number | null {
  assertDays(days);
  if (creditSales <= 0n) return null;
  return ratio1(ar * BigInt(days), creditSales);
}

export interface SalesPeriod {
  /** Credit sales of the period. */
  sales: Micros;
  /** Calendar days in the period. */
  days: number;
}

export interface Countback {
  /** Days of sales it takes to account for the receivables, one decimal. */
  days: number;
  /** False when the receivables exceed every period given: `days` is then a lower bound. */
  exhausted: boolean;
}

/**
 * DSO by the countback method: walk back through the periods of sales, latest first, taking
 * each period's whole days while the receivables exceed its sales, and the proportional part of
 * the period that finishes them off. With 30-day months, sales 100,000 (latest), 80,000, 70,000
 * and receivables of 212,000: 30 + 30 + 32,000 / 70,000 × 30 = 73.7 days.
 */
export function dsoCountback(ar: Micros, latestFirst: readonly SalesPeriod[]): Countback {
  let remaining = ar;
  let wholeDays = 0n;
  if (remaining <= 0n) return { days: 0, exhausted: true };
  for (const p of latestFirst) {
    assertDays(p.days);
    if (p.sales > 0n && remaining <= p.sales) {
      // wholeDays + remaining / sales × days, exactly, in one rounding
      const days = ratio1(wholeDays * p.sales + remaining * BigInt(p.days), p.sales)!;
      return { days, exhausted: true };
    }
    remaining -= p.sales > 0n ? p.sales : 0n;
    wholeDays += BigInt(p.days);
  }
  return { days: Number(wholeDays), exhausted: false };
}

/**
 * Best possible DSO: only the receivables that are not yet due (current AR) over the credit
 * sales of the period, times its days — what DSO would be if every customer paid on time.
 */
export function bestPossibleDso(currentAr: Micros, creditSales: Micros, days: number): number | null {
  return dsoStandard(currentAr, creditSales, days);
}

/** Average days delinquent: DSO − best possible DSO (null when either is not measurable). */
export function averageDaysDelinquent(dso: number | null, bestPossible: number | null): number | null {
  if (dso === null || bestPossible === null) return null;
  // both carry one decimal: subtract in tenths to avoid 45.3 - 30.1 = 15.199999
  return (Math.round(dso * 10) - Math.round(bestPossible * 10)) / 10;
}

export interface CeiInput {
  /** Total receivables at the start of the period (the end of the day before it). */
  beginningAr: Micros;
  /** Credit sales of the period (see the convention at the top of this file). */
  creditSales: Micros;
  /** Total receivables at the end of the period. */
  endingAr: Micros;
  /** The part of `endingAr` that is not yet due at the end of the period. */
  endingCurrentAr: Micros;
}

/**
 * Collection effectiveness index, in percent: what was collected out of what was collectible.
 * (beginning AR + credit sales − ending total AR) / (beginning AR + credit sales − ending current AR) × 100.
 * Null when nothing was collectible.
 */
export function collectionEffectivenessIndex(x: CeiInput): number | null {
  const available = x.beginningAr + x.creditSales;
  const collectible = available - x.endingCurrentAr;
  if (collectible <= 0n) return null;
  return ratio1((available - x.endingAr) * 100n, collectible);
}

export type PromiseOutcome = 'kept' | 'broken' | 'open' | 'cancelled';

/**
 * Share of promises to pay that were kept, in percent, out of the promises whose outcome is
 * known (kept or broken; open and cancelled ones are not counted). Null when there are none.
 */
export function promiseKeptRate(outcomes: Iterable<PromiseOutcome>): number | null {
  let kept = 0n;
  let decided = 0n;
  for (const o of outcomes) {
    if (o === 'kept') kept++;
    if (o === 'kept' || o === 'broken') decided++;
  }
  return decided === 0n ? null : ratio1(kept * 100n, decided);
}

export interface DatedAmount {
  date: LocalDate;
  amount: Micros;
}

export interface CashWeek {
  /** First and last day of the week (7 days from `asOf` on). */
  from: LocalDate;
  to: LocalDate;
  fromDueDates: Micros;
  fromPromises: Micros;
  total: Micros;
}

/**
 * Expected cash for the four weeks starting on `asOf` (week 1 = asOf … asOf + 6): open balances
 * on their due dates, and promised amounts on their promised dates. The caller leaves out of
 * `due` the invoices a promise covers, so nothing is counted twice. Amounts dated before `asOf`
 * (overdue balances, broken promises) are not forecast: nobody knows when they will come.
 */
export function expectedCash(
  asOf: LocalDate,
  due: readonly DatedAmount[],
  promises: readonly DatedAmount[] = [],
): CashWeek[] {
  const weeks: CashWeek[] = [0, 1, 2, 3].map((w) => ({
    from: addDays(asOf, w * 7),
    to: addDays(asOf, w * 7 + 6),
    fromDueDates: 0n,
    fromPromises: 0n,
    total: 0n,
  }));
  const place = (x: DatedAmount, key: 'fromDueDates' | 'fromPromises') => {
    const offset = daysBetween(asOf, x.date);
    if (offset < 0 || offset >= 28) return;
    const week = weeks[Math.floor(offset / 7)]!;
    week[key] += x.amount;
    week.total += x.amount;
  };
  for (const d of due) place(d, 'fromDueDates');
  for (const p of promises) place(p, 'fromPromises');
  return weeks;
}

function assertDays(days: number): void {
  if (!Number.isInteger(days) || days <= 0) throw new RangeError(`days must be a positive integer: ${days}`);
}
