/**
 * The customers list: search by name or e-mail (the customer's or a contact's), filters on balance,
 * days overdue, tag, effective sequence, risk and pilot, sorted by balance, overdue balance, risk or
 * name, one page at a time. One statement: the open-invoice aggregate and the risk facts are
 * grouped once per firm and joined to the customers (about 20 ms for 20,000 customers and 100,000
 * open invoices on PostgreSQL; see test/services/customers.list.test.ts for the plan check).
 *
 * A customer's balance adds up its open invoices (platforms keep one currency per customer; the
 * list shows the customer's currency, the customer page shows each invoice in its own).
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { RISK, riskLevel, RISK_LEVELS, type RiskLevel } from '../../domain/customerRisk';
import { formatMoney, parseMoney } from '../../domain/money';
import { firmView, SEQUENCE_SOURCES, type FirmView, type SequenceSource } from './firm';
import { riskLevelSql, riskScoreSql } from './riskSql';

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(blankToUndefined, z.enum(values).optional());

export const OVERDUE_FILTERS = ['any', '30', '60', '90'] as const;
export const LIST_SORTS = ['balance', 'overdue', 'risk', 'name'] as const;
export const PAGE_SIZE = 50;

/** The list's query string (the page, its CSV and the API read the same filters). */
export const customerListQuery = z.object({
  q: z.preprocess(
    blankToUndefined,
    z.string().trim().max(200, 'search is at most 200 characters').optional(),
  ),
  balance: optionalEnum(['yes'] as const),
  overdue: optionalEnum(OVERDUE_FILTERS),
  tag: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  sequence: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  via: optionalEnum(SEQUENCE_SOURCES as unknown as readonly [SequenceSource, ...SequenceSource[]]),
  risk: optionalEnum(RISK_LEVELS as unknown as readonly [RiskLevel, ...RiskLevel[]]),
  pilot: optionalEnum(['yes', 'no'] as const),
  sort: z.preprocess(blankToUndefined, z.enum(LIST_SORTS).default('balance')),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
});
export type CustomerListQuery = z.infer<typeof customerListQuery>;

export interface CustomerListRow {
  id: string;
  name: string;
  email: string | null;
  currency: string;
  /** Open balance and the part of it past due, in the currency's minor units. */
  balance: string;
  overdueBalance: string;
  maxDaysOverdue: number;
  openInvoices: number;
  tags: string[];
  pilot: boolean;
  pausedUntil: string | null;
  sequenceKey: string | null;
  sequenceSource: SequenceSource;
  risk: number;
  riskLevel: RiskLevel;
  brokenPromises: number;
  openDisputes: number;
  bounced: boolean;
}

export interface CustomerListPage {
  rows: CustomerListRow[];
  total: number;
  page: number;
  pageCount: number;
  firm: FirmView;
  /** Every tag in use, for the filter. */
  tags: string[];
}

interface RawRow {
  id: string;
  name: string;
  email: string | null;
  currency: string;
  balance: string;
  overdue: string;
  maxDays: number;
  openInvoices: number;
  tags: string[];
  pilot: boolean;
  pausedUntil: string | null;
  sequenceKey: string | null;
  sequenceSource: SequenceSource;
  risk: number;
  brokenPromises: number;
  openDisputes: number;
  bounced: boolean;
  total: number;
}

const DAY_MS = 86_400_000;

/** `%term%` for ILIKE with the term's own wildcards escaped. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Xero keeps suppliers in the same Contacts list as customers, and every contact is synced (an
 * invoice may name a contact before Xero flags it IsCustomer). A Xero contact with no sales
 * invoice or credit note in Duely is a supplier-only contact: kept, but not listed (the web list
 * and the API alike; a customer asked for by id is always shown). `c` is the customers row.
 */
export function salesContactsOnly(org: string): SQL {
  return sql`and (not exists (select 1 from connections x
                               where x.id = c.connection_id and x.organization_id = ${org}
                                 and x.platform = 'xero')
                 or exists (select 1 from invoices i
                             where i.organization_id = ${org} and i.customer_id = c.id)
                 or exists (select 1 from credit_notes n
                             where n.organization_id = ${org} and n.customer_id = c.id))`;
}

/** The list's statement (exported for the benchmark's query plan). */
export function listSql(
  scope: OrgScope,
  firm: FirmView,
  now: Date,
  q: CustomerListQuery,
  paging: { limit: number; offset: number } | null,
  onlyId: string | null = null,
): SQL {
  const org = scope.organizationId;
  const since365 = new Date(now.getTime() - RISK.brokenPromise.lookbackDays * DAY_MS);
  const since90 = new Date(now.getTime() - RISK.bounce.lookbackDays * DAY_MS);
  const rules = JSON.stringify(firm.tagRules);
  const only = onlyId ? sql`and c.id = ${onlyId}` : sql``;
  // one customer: every aggregate reads only that customer's rows; a search or a filter on the
  // customers themselves: the invoices of the customers it matched only
  const one = onlyId ? sql`and customer_id = ${onlyId}` : sql``;
  const narrowed = q.q || q.tag || q.pilot ? sql`and i.customer_id in (select id from matched)` : sql``;
  const customersOnly = onlyId ? sql`` : salesContactsOnly(org);
  const search = q.q
    ? sql`and (c.name ilike ${likePattern(q.q)} or c.email ilike ${likePattern(q.q)}
               or exists (select 1 from contacts k
                           where k.organization_id = ${org} and k.customer_id = c.id
                             and (k.email ilike ${likePattern(q.q)} or k.name ilike ${likePattern(q.q)})))`
    : sql``;
  const own: SQL[] = [];
  if (q.tag) own.push(sql`and ${q.tag} = any(c.tags)`);
  if (q.pilot) own.push(q.pilot === 'yes' ? sql`and c.pilot` : sql`and not c.pilot`);
  const filters: SQL[] = [];
  if (q.balance === 'yes') filters.push(sql`balance > 0`);
  if (q.overdue) filters.push(sql`max_days > ${q.overdue === 'any' ? 0 : Number(q.overdue)}`);
  if (q.sequence) filters.push(sql`effective_sequence = ${q.sequence}`);
  if (q.via) filters.push(sql`sequence_source = ${q.via}`);
  if (q.risk) filters.push(riskLevelSql('risk', q.risk));
  const where = filters.length ? sql`where ${sql.join(filters, sql` and `)}` : sql``;
  // qualified: the output columns of the same names are text
  const order = {
    balance: sql`s.balance desc, lower(s.name), s.id`,
    overdue: sql`s.overdue desc, s.max_days desc, lower(s.name), s.id`,
    risk: sql`s.risk desc, s.overdue desc, lower(s.name), s.id`,
    name: sql`lower(s.name), s.id`,
  }[q.sort];
  const limit = paging ? sql`limit ${paging.limit} offset ${paging.offset}` : sql``;
  const risk = riskScoreSql({
    maxDays: 'max_days',
    broken: 'broken_promises',
    disputes: 'open_disputes',
    bounced: 'bounced',
  });
  return sql`
    with matched as (
      select c.* from customers c
       where c.organization_id = ${org} and c.deleted_at is null ${only} ${customersOnly} ${search} ${sql.join(own, sql` `)}
    ), inv as (
      select i.customer_id,
             sum(i.balance) as balance,
             coalesce(sum(i.balance) filter (where i.due_date < ${firm.today}::date), 0) as overdue,
             coalesce(max(${firm.today}::date - i.due_date)
                        filter (where i.due_date < ${firm.today}::date and i.balance > 0), 0) as max_days,
             min(i.currency) as currency,
             count(*)::int as open_invoices
        from invoices i
       where i.organization_id = ${org} and i.status = 'open' ${one} ${narrowed}
       group by i.customer_id
    ), broken as (
      select customer_id, count(*)::int as n from promises
       where organization_id = ${org} and status in ('broken', 'partially_kept')
         and coalesce(resolved_at, updated_at) >= ${since365.toISOString()}::timestamptz ${one}
       group by customer_id
    ), disp as (
      select customer_id, count(*)::int as n from disputes
       where organization_id = ${org} and status <> 'resolved' ${one}
       group by customer_id
    ), bounce as (
      select customer_id from contacts
       where organization_id = ${org} and email_status = 'bounced' and erased_at is null ${one}
      union
      select customer_id from messages
       where organization_id = ${org} and bounced_at >= ${since90.toISOString()}::timestamptz ${one}
    ), rules as (
      select x.r->>'tag' as tag, x.r->>'sequenceKey' as key, x.n
        from jsonb_array_elements(${rules}::jsonb) with ordinality as x(r, n)
    ), base as (
      select c.id, c.name, c.email, c.tags, c.pilot, c.paused_until, c.sequence_key,
             coalesce(c.currency, inv.currency, ${firm.baseCurrency}) as currency,
             coalesce(inv.balance, 0) as balance, coalesce(inv.overdue, 0) as overdue,
             coalesce(inv.max_days, 0) as max_days, coalesce(inv.open_invoices, 0) as open_invoices,
             coalesce(broken.n, 0) as broken_promises, coalesce(disp.n, 0) as open_disputes,
             bounce.customer_id is not null as bounced,
             (select r.key from rules r where r.tag = any(c.tags) order by r.n limit 1) as tag_sequence
        from matched c
        left join inv on inv.customer_id = c.id
        left join broken on broken.customer_id = c.id
        left join disp on disp.customer_id = c.id
        left join bounce on bounce.customer_id = c.id
    ), scored as (
      select base.*,
             coalesce(sequence_key, tag_sequence, ${firm.defaultSequenceKey}::text) as effective_sequence,
             case when sequence_key is not null then 'manual'
                  when tag_sequence is not null then 'tag' else 'default' end as sequence_source,
             ${risk} as risk
        from base
    )
    select id, name, email, currency, balance::text as balance, overdue::text as overdue,
           max_days as "maxDays", open_invoices as "openInvoices", tags, pilot,
           paused_until::text as "pausedUntil", effective_sequence as "sequenceKey",
           sequence_source as "sequenceSource", risk, broken_promises as "brokenPromises",
           open_disputes as "openDisputes", bounced, count(*) over ()::int as total
      from scored s ${where}
     order by ${order}
     ${limit}`;
}

/**
 * Run the list statement with JIT compilation off: PostgreSQL over-estimates the joined aggregates
 * (millions of rows for a 20-row search), and compiling the plan then costs seconds while running
 * it takes milliseconds.
 */
async function runList(scope: OrgScope, query: SQL): Promise<RawRow[]> {
  return scope.transaction(async (tx) => {
    await tx.db.execute(sql`set local jit = off`);
    return queryRows<RawRow>(tx.db, query);
  });
}

function toRow(r: RawRow): CustomerListRow {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    currency: r.currency,
    balance: formatMoney(parseMoney(r.balance), r.currency),
    overdueBalance: formatMoney(parseMoney(r.overdue), r.currency),
    maxDaysOverdue: Number(r.maxDays),
    openInvoices: Number(r.openInvoices),
    tags: r.tags,
    pilot: r.pilot,
    pausedUntil: r.pausedUntil,
    sequenceKey: r.sequenceKey,
    sequenceSource: r.sequenceSource,
    risk: Number(r.risk),
    riskLevel: riskLevel(Number(r.risk)),
    brokenPromises: Number(r.brokenPromises),
    openDisputes: Number(r.openDisputes),
    bounced: r.bounced,
  };
}

/** One page of the list. */
export async function listCustomers(
  scope: OrgScope,
  q: CustomerListQuery,
  opts: { now: Date; pageSize?: number },
): Promise<CustomerListPage> {
  const firm = await firmView(scope, opts.now);
  const size = opts.pageSize ?? PAGE_SIZE;
  const raw = await runList(
    scope,
    listSql(scope, firm, opts.now, q, { limit: size, offset: (q.page - 1) * size }),
  );
  // a page past the end still tells how many match
  let total = raw[0]?.total ?? 0;
  if (!raw.length && q.page > 1) {
    const [count] = await runList(
      scope,
      sql`select count(*)::int as total from (${listSql(scope, firm, opts.now, q, null)}) x`,
    );
    total = count?.total ?? 0;
  }
  const tags = await queryRows<{ tag: string }>(
    scope.db,
    sql`select distinct unnest(tags) as tag from customers
         where organization_id = ${scope.organizationId} and deleted_at is null order by 1 limit 500`,
  );
  return {
    rows: raw.map(toRow),
    total,
    page: q.page,
    pageCount: Math.max(1, Math.ceil(total / size)),
    firm,
    tags: tags.map((t) => t.tag),
  };
}

/** Every row that matches (the CSV export), at most `max`. */
export async function allCustomers(
  scope: OrgScope,
  q: CustomerListQuery,
  opts: { now: Date; max?: number },
): Promise<{ rows: CustomerListRow[]; firm: FirmView }> {
  const firm = await firmView(scope, opts.now);
  const raw = await runList(
    scope,
    listSql(scope, firm, opts.now, q, { limit: opts.max ?? 100_000, offset: 0 }),
  );
  return { rows: raw.map(toRow), firm };
}

/** The list's figures for one customer (the customer page's header), or undefined. */
export async function customerSummary(
  scope: OrgScope,
  firm: FirmView,
  customerId: string,
  now: Date,
): Promise<CustomerListRow | undefined> {
  const q = customerListQuery.parse({});
  const [raw] = await runList(scope, listSql(scope, firm, now, q, { limit: 1, offset: 0 }, customerId));
  return raw ? toRow(raw) : undefined;
}
