import { sql, type SQL } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { addDays, daysBetween, minDate, type LocalDate } from '../../domain/calendar/localDate';
import {
  averageDaysDelinquent,
  bestPossibleDso,
  collectionEffectivenessIndex,
  dsoCountback,
  dsoStandard,
  expectedCash,
  type CashWeek,
  type SalesPeriod,
} from '../../domain/metrics';
import { formatMoney, parseMoney, type Micros } from '../../domain/money';
import { ValidationError } from '../errors';
import { promisedCash } from './collections';
import { promiseKeptRate } from '../promises/queries';
import { cachedReport } from './snapshots';
import { addMonths, firmBasics, monthEnd, monthStart, requireDate } from './period';

/** Default period when `from` is not given: the 90 days ending on `to`. */
export const DEFAULT_PERIOD_DAYS = 90;
/** Longest period accepted (ten years). */
export const MAX_PERIOD_DAYS = 3_660;
/** Months of sales the countback walks through at most before giving a lower bound. */
export const COUNTBACK_MONTHS = 24;
/** Months in the DSO trend. */
export const TREND_MONTHS = 6;

export interface TrendPoint {
  /** YYYY-MM */
  month: string;
  /** The month's last day, or `to` for the month that contains it. */
  asOf: LocalDate;
  ar: string;
  creditSales: string;
  dsoStandard: number | null;
  dsoCountback: number | null;
}

/**
 * CONTRACT.md §3 `GET /api/v1/reports/metrics`, plus `currency` and the monthly `trend`
 * (additive). Day counts and percentages carry one decimal; null means "not measurable" (no
 * credit sales in the period, nothing collectible, no promise with a known outcome yet).
 */
export interface MetricsReport {
  from: LocalDate;
  to: LocalDate;
  currency: string;
  dso: { standard: number | null; countback: number | null };
  bestPossibleDso: number | null;
  add: number | null;
  cei: number | null;
  promiseKeptRate: number | null;
  trend: TrendPoint[];
}

/*
 * Conventions (also stated on the dashboard):
 * - Credit sales of a period = the total of the invoices issued in it (by issue date), whatever
 *   they have become since, excluding voided and deleted invoices. Credit notes are not netted.
 * - Receivables at the end of a day D ("AR(D)") = the open balances of the invoices issued by D,
 *   plus what payments dated after D paid on them (payment allocations are rolled back), so that
 *   past month ends are not judged with today's balances. Credit notes applied after D are not
 *   rolled back. "Current" AR at D = the part of AR(D) on invoices not yet past due at D.
 * - DSO standard = AR(to) / credit sales of [from, to] × its days. Countback walks calendar months
 *   back from the month of `to` (that month counted up to `to`). Best possible DSO = current AR(to)
 *   / credit sales × days. ADD = standard DSO − best possible DSO. CEI uses AR(from − 1) as the
 *   beginning AR and AR(to), current AR(to) as the ending figures.
 * - The trend gives, for each of the last six calendar months, AR at the month end over that
 *   month's credit sales × its days (standard) and the countback from that month.
 * - Only the firm's base currency is measured; invoices in other currencies are left out.
 */

interface Snapshot {
  ar: Micros;
  current: Micros;
}

interface QueryResult {
  snap: Record<string, string> | null;
  rolled: Record<string, string | null> | null;
  months: { m: string; sales: string; inPeriod: string }[] | null;
}

/**
 * DSO (standard and countback), best possible DSO, ADD, CEI and the six-month DSO trend for a
 * period (default: the 90 days to today in the firm's time zone). One statement: one aggregate
 * over the firm's open invoices for every snapshot date, one over the payment allocations made
 * after the earliest of them, one GROUP BY month over the invoices issued in the window.
 */
export async function metricsReport(
  scope: OrgScope,
  opts: { now: Date; from?: string | undefined; to?: string | undefined },
): Promise<MetricsReport> {
  const firm = await firmBasics(scope, opts.now);
  const to = opts.to === undefined ? firm.today : requireDate(opts.to, 'to');
  const from =
    opts.from === undefined ? addDays(to, 1 - DEFAULT_PERIOD_DAYS) : requireDate(opts.from, 'from');
  if (from > to) throw new ValidationError(`from (${from}) is after to (${to})`, 'from');
  const days = daysBetween(from, to) + 1;
  if (days > MAX_PERIOD_DAYS)
    throw new ValidationError(`the period is longer than ${MAX_PERIOD_DAYS} days`, 'from');
  const ledger = await cachedReport(scope, `metrics:${from}`, to, () =>
    computeLedgerMetrics(scope, firm.baseCurrency, from, to),
  );
  // promises change between syncs: their rate is read live (one small indexed query)
  const kept = await promiseKeptRate(scope, { from, to });
  return { ...ledger, promiseKeptRate: kept.rate };
}

/** Everything of the metrics that depends on the ledger only (pre-aggregated per ledger version). */
async function computeLedgerMetrics(
  scope: OrgScope,
  baseCurrency: string,
  from: LocalDate,
  to: LocalDate,
): Promise<Omit<MetricsReport, 'promiseKeptRate'>> {
  const firm = { baseCurrency };
  const days = daysBetween(from, to) + 1;

  // the months of the trend, oldest first; the last one ends on `to`
  const trendMonths = Array.from({ length: TREND_MONTHS }, (_, k) => {
    const start = addMonths(monthStart(to), k - (TREND_MONTHS - 1));
    return { start, end: minDate(monthEnd(start), to) };
  });
  const beginning = addDays(from, -1);
  const dates = [...new Set([beginning, to, ...trendMonths.map((t) => t.end)])].sort();
  const windowStart = minDate(monthStart(from), addMonths(trendMonths[0]!.start, 1 - COUNTBACK_MONTHS));

  const result = await runQuery(scope, firm.baseCurrency, dates, from, to, windowStart);
  const snapshots = new Map<LocalDate, Snapshot>();
  dates.forEach((d, k) => {
    const rolledAr = parseMoney(result.rolled?.[`ar${k}`] ?? '0');
    const rolledCur = parseMoney(result.rolled?.[`cur${k}`] ?? '0');
    snapshots.set(d, {
      ar: parseMoney(result.snap?.[`ar${k}`] ?? '0') + rolledAr,
      current: parseMoney(result.snap?.[`cur${k}`] ?? '0') + rolledCur,
    });
  });
  const salesByMonth = new Map<string, Micros>();
  let creditSales = 0n;
  for (const row of result.months ?? []) {
    salesByMonth.set(row.m, parseMoney(row.sales));
    creditSales += parseMoney(row.inPeriod);
  }

  /** Calendar months back from the one holding `end` (counted up to `end`), latest first. */
  const monthsBack = (end: LocalDate): SalesPeriod[] => {
    const periods: SalesPeriod[] = [];
    for (let k = 0; k < COUNTBACK_MONTHS; k++) {
      const start = addMonths(monthStart(end), -k);
      const last = k === 0 ? end : monthEnd(start);
      periods.push({ sales: salesByMonth.get(start.slice(0, 7)) ?? 0n, days: daysBetween(start, last) + 1 });
    }
    return periods;
  };
  const countback = (end: LocalDate): number | null => {
    const periods = monthsBack(end);
    // with no sales at all in the window, countback has nothing to count
    if (periods.every((p) => p.sales === 0n)) return null;
    return dsoCountback(snapshots.get(end)!.ar, periods).days;
  };

  const end = snapshots.get(to)!;
  const standard = dsoStandard(end.ar, creditSales, days);
  const best = bestPossibleDso(end.current, creditSales, days);
  const trend = trendMonths.map(({ start, end: last }): TrendPoint => {
    const ar = snapshots.get(last)!.ar;
    const sales = salesByMonth.get(start.slice(0, 7)) ?? 0n;
    return {
      month: start.slice(0, 7),
      asOf: last,
      ar: formatMoney(ar, firm.baseCurrency),
      creditSales: formatMoney(sales, firm.baseCurrency),
      dsoStandard: dsoStandard(ar, sales, daysBetween(start, last) + 1),
      dsoCountback: countback(last),
    };
  });

  return {
    from,
    to,
    currency: firm.baseCurrency,
    dso: { standard, countback: countback(to) },
    bestPossibleDso: best,
    add: averageDaysDelinquent(standard, best),
    cei: collectionEffectivenessIndex({
      beginningAr: snapshots.get(beginning)!.ar,
      creditSales,
      endingAr: end.ar,
      endingCurrentAr: end.current,
    }),
    trend,
  };
}

async function runQuery(
  scope: OrgScope,
  currency: string,
  dates: LocalDate[],
  from: LocalDate,
  to: LocalDate,
  windowStart: LocalDate,
): Promise<QueryResult> {
  const org = scope.organizationId;
  /** For each snapshot date k: "ark" (AR at the end of that day) and "curk" (its part not yet due). */
  const columns = (amount: SQL, extra: (d: LocalDate) => SQL) =>
    sql.join(
      dates.flatMap((d, k) => [
        sql`coalesce(sum(${amount}) filter (where i.issue_date <= ${d}::date${extra(d)}), 0)::text as ${sql.raw(`ar${k}`)}`,
        sql`coalesce(sum(${amount}) filter (where i.issue_date <= ${d}::date and i.due_date >= ${d}::date${extra(d)}), 0)::text as ${sql.raw(`cur${k}`)}`,
      ]),
      sql`, `,
    );
  // g: the invoices grouped by (issue date, due date) in one scan; r: payments after the earliest
  // snapshot grouped by (issue date, due date, payment date). The per-date sums then run over
  // these few thousand groups instead of every invoice.
  const [row] = await queryRows<QueryResult>(
    scope.db,
    sql`with g as (
          select i.issue_date, i.due_date,
                 sum(i.balance) filter (where i.status = 'open') as balance,
                 sum(i.total) filter (where i.issue_date >= ${windowStart}::date) as sales
            from invoices i
           where i.organization_id = ${org} and i.currency = ${currency} and i.issue_date <= ${to}::date
             and (i.status = 'open' or (i.status = 'paid' and i.issue_date >= ${windowStart}::date))
           group by i.issue_date, i.due_date),
        r as (
          select i.issue_date, i.due_date, p.date, sum(a.amount) as amount
            from payment_allocations a
            join payments p on p.id = a.payment_id and p.organization_id = ${org}
            join invoices i on i.id = a.invoice_id and i.organization_id = ${org}
           where a.organization_id = ${org} and p.status = 'active' and p.date > ${dates[0]!}::date
             and i.status in ('open', 'paid') and i.currency = ${currency}
           group by i.issue_date, i.due_date, p.date),
        snap as (select ${columns(sql`i.balance`, () => sql``)} from g i),
        rolled as (select ${columns(sql`i.amount`, (d) => sql` and i.date > ${d}::date`)} from r i),
        months as (
          select to_char(i.issue_date, 'YYYY-MM') as m,
                 sum(i.sales)::text as sales,
                 coalesce(sum(i.sales) filter (where i.issue_date >= ${from}::date), 0)::text as "inPeriod"
            from g i
           where i.sales is not null
           group by 1)
        select (select row_to_json(snap) from snap) as snap,
               (select row_to_json(rolled) from rolled) as rolled,
               (select json_agg(months) from months) as months`,
  );
  return row ?? { snap: null, rolled: null, months: null };
}

export interface ExpectedCashWeek {
  from: LocalDate;
  to: LocalDate;
  fromDueDates: string;
  fromPromises: string;
  total: string;
}

/**
 * Expected cash of the four weeks from today (firm's time zone), base currency: open balances
 * on their due dates (one GROUP BY due date over at most 28 days of the due-date index), except
 * invoices under an active promise, whose promised amount (less what was paid since) counts on
 * the promised date instead.
 */
export async function expectedCashReport(
  scope: OrgScope,
  opts: { now: Date },
): Promise<{ asOf: LocalDate; currency: string; weeks: ExpectedCashWeek[] }> {
  const firm = await firmBasics(scope, opts.now);
  const asOf = firm.today;
  const rows = await queryRows<{ date: string; amount: string }>(
    scope.db,
    sql`select i.due_date::text as date, sum(i.balance)::text as amount
          from invoices i
         where i.organization_id = ${scope.organizationId} and i.status = 'open'
           and i.currency = ${firm.baseCurrency}
           and i.due_date between ${asOf}::date and ${addDays(asOf, 27)}::date
           and not exists (
             select 1 from promise_invoices pi join promises p on p.id = pi.promise_id
              where pi.organization_id = i.organization_id and pi.invoice_id = i.id and p.status = 'active')
         group by i.due_date`,
  );
  const promised = await promisedCash(scope, { currency: firm.baseCurrency });
  const weeks = expectedCash(
    asOf,
    rows.map((r) => ({ date: r.date, amount: parseMoney(r.amount) })),
    promised.promises,
  );
  return {
    asOf,
    currency: firm.baseCurrency,
    weeks: weeks.map((w: CashWeek) => ({
      from: w.from,
      to: w.to,
      fromDueDates: formatMoney(w.fromDueDates, firm.baseCurrency),
      fromPromises: formatMoney(w.fromPromises, firm.baseCurrency),
      total: formatMoney(w.total, firm.baseCurrency),
    })),
  };
}
