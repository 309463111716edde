import { sql, type SQL } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { AGING_BUCKETS, type AgingBucket } from '../../domain/aging';
import type { LocalDate } from '../../domain/calendar/localDate';
import { formatMoney, parseMoney, type Micros } from '../../domain/money';
import { firmBasics, requireDate } from './period';
import { cachedReport } from './snapshots';

export type AgingBuckets = Record<AgingBucket, string>;

export interface CustomerAging {
  customerId: string;
  /** The customer's name (additive to CONTRACT.md §3, for people reading the report). */
  name: string;
  buckets: AgingBuckets;
  total: string;
}

export interface CurrencyAging {
  currency: string;
  buckets: AgingBuckets;
  total: string;
  byCustomer: CustomerAging[];
}

/**
 * CONTRACT.md §3 `GET /api/v1/reports/aging`: the firm's base currency at the top level, every
 * other currency the firm invoices in under `byCurrency` (additive; amounts in different
 * currencies are never added together).
 */
export interface AgingReport extends CurrencyAging {
  asOf: LocalDate;
  byCurrency: CurrencyAging[];
}

interface Row {
  customerId: string;
  name: string | null;
  currency: string;
  current: string;
  d1: string;
  d31: string;
  d61: string;
  d91: string;
}

const COLUMN: Record<AgingBucket, keyof Row> = {
  current: 'current',
  '1-30': 'd1',
  '31-60': 'd31',
  '61-90': 'd61',
  '90+': 'd91',
};

/**
 * Open receivables by days past the due date (current, 1-30, 31-60, 61-90, 90+) per customer
 * and currency, as of a date (default: today in the firm's time zone). One GROUP BY over the
 * firm's open invoices, served by the (organization_id, status, due_date) index.
 *
 * Historical as-of uses current balances: an invoice counts with its open balance as stored now
 * (payments made after `asOf` are not added back); invoices issued after `asOf` are left out.
 */
export async function agingReport(
  scope: OrgScope,
  opts: { now: Date; asOf?: string | undefined },
): Promise<AgingReport> {
  const firm = await firmBasics(scope, opts.now);
  const asOf = opts.asOf === undefined ? firm.today : requireDate(opts.asOf, 'asOf');
  return cachedReport(scope, 'aging', asOf, () => computeAging(scope, firm.baseCurrency, asOf));
}

async function computeAging(scope: OrgScope, baseCurrency: string, asOf: LocalDate): Promise<AgingReport> {
  const firm = { baseCurrency };
  const rows = await queryRows<Row>(scope.db, agingQuery(scope, asOf));

  type Acc = { buckets: Record<AgingBucket, Micros>; customers: { line: CustomerAging; total: Micros }[] };
  const byCurrency = new Map<string, Acc>();
  for (const row of rows) {
    let cur = byCurrency.get(row.currency);
    if (!cur) {
      cur = { buckets: zeroBuckets(), customers: [] };
      byCurrency.set(row.currency, cur);
    }
    const buckets = zeroBuckets();
    let total = 0n;
    for (const b of AGING_BUCKETS) {
      const v = parseMoney(row[COLUMN[b]] as string);
      buckets[b] = v;
      cur.buckets[b] += v;
      total += v;
    }
    if (AGING_BUCKETS.every((b) => buckets[b] === 0n)) continue;
    cur.customers.push({
      total,
      line: {
        customerId: row.customerId,
        name: row.name ?? '',
        buckets: present(buckets, row.currency),
        total: formatMoney(total, row.currency),
      },
    });
  }

  const section = (currency: string): CurrencyAging => {
    const cur: Acc = byCurrency.get(currency) ?? { buckets: zeroBuckets(), customers: [] };
    const total = AGING_BUCKETS.reduce((s, b) => s + cur.buckets[b], 0n);
    // largest balance first; ties by name, then id, so the order is stable
    const byCustomer = cur.customers
      .sort((a, b) =>
        a.total !== b.total
          ? a.total > b.total
            ? -1
            : 1
          : a.line.name.localeCompare(b.line.name) || a.line.customerId.localeCompare(b.line.customerId),
      )
      .map((c) => c.line);
    return {
      currency,
      buckets: present(cur.buckets, currency),
      total: formatMoney(total, currency),
      byCustomer,
    };
  };

  const base = section(firm.baseCurrency);
  const others = [...byCurrency.keys()].filter((c) => c !== firm.baseCurrency).sort();
  return { asOf, ...base, byCurrency: others.map(section) };
}

const zeroBuckets = (): Record<AgingBucket, Micros> => ({
  current: 0n,
  '1-30': 0n,
  '31-60': 0n,
  '61-90': 0n,
  '90+': 0n,
});

function present(buckets: Record<AgingBucket, Micros>, currency: string): AgingBuckets {
  return Object.fromEntries(AGING_BUCKETS.map((b) => [b, formatMoney(buckets[b], currency)])) as AgingBuckets;
}

/** The aging GROUP BY (exported for the benchmark's EXPLAIN). */
export function agingQuery(scope: OrgScope, asOf: LocalDate): SQL {
  return sql`with agg as (
            select i.customer_id, i.currency,
                   coalesce(sum(i.balance) filter (where i.due_date >= ${asOf}::date), 0)::text as current,
                   coalesce(sum(i.balance) filter (where i.due_date < ${asOf}::date
                                                     and i.due_date >= ${asOf}::date - 30), 0)::text as d1,
                   coalesce(sum(i.balance) filter (where i.due_date < ${asOf}::date - 30
                                                     and i.due_date >= ${asOf}::date - 60), 0)::text as d31,
                   coalesce(sum(i.balance) filter (where i.due_date < ${asOf}::date - 60
                                                     and i.due_date >= ${asOf}::date - 90), 0)::text as d61,
                   coalesce(sum(i.balance) filter (where i.due_date < ${asOf}::date - 90), 0)::text as d91
              from invoices i
             where i.organization_id = ${scope.organizationId}
               and i.status = 'open'
               and i.issue_date <= ${asOf}::date
             group by i.customer_id, i.currency)
          select agg.customer_id as "customerId", c.name, agg.currency,
                 agg.current, agg.d1, agg.d31, agg.d61, agg.d91
            from agg
            left join customers c on c.id = agg.customer_id and c.organization_id = ${scope.organizationId}`;
}
