/**
 * Statement of account for a portal customer over a period (default: the last 90 days): the
 * opening balance is summed in PostgreSQL from everything dated before the period, the period's
 * invoices, payments and credit notes are listed; the running balance is computed by
 * `buildStatements`. Voided and deleted records are left out.
 */
import { sql } from 'drizzle-orm';
import { stringify } from 'csv-stringify/sync';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { addDays, daysBetween, isLocalDate } from '../../domain/calendar';
import { buildStatements, type CurrencyStatement, type StatementEntry } from '../../domain/statement';
import { ValidationError } from '../errors';

export const DEFAULT_STATEMENT_DAYS = 90;
const MAX_STATEMENT_DAYS = 3 * 366;

export interface StatementPeriod {
  from: string;
  to: string;
}

export interface Statement extends StatementPeriod {
  currencies: CurrencyStatement[];
}

/** The period asked for, or the last 90 days up to today; a bad one is a clear ValidationError. */
export function statementPeriod(input: { from?: unknown; to?: unknown }, today: string): StatementPeriod {
  const pick = (v: unknown, field: string): string | null => {
    if (v === undefined || v === '') return null;
    if (typeof v !== 'string' || !isLocalDate(v))
      throw new ValidationError('must be a date such as 2026-01-31', field);
    return v;
  };
  const to = pick(input.to, 'to') ?? today;
  const from = pick(input.from, 'from') ?? addDays(to, -(DEFAULT_STATEMENT_DAYS - 1));
  if (from > to) throw new ValidationError('must be on or before the end date', 'from');
  if (daysBetween(from, to) > MAX_STATEMENT_DAYS)
    throw new ValidationError('a statement covers at most three years', 'from');
  return { from, to };
}

const entriesSql = (scope: OrgScope, customerId: string) => sql`
  select 'invoice' as kind, id, number as reference, issue_date as date, currency, total as amount
    from invoices
   where organization_id = ${scope.organizationId} and customer_id = ${customerId}
     and status in ('open', 'paid')
  union all
  select 'credit_note', id, number, date, currency, total
    from credit_notes
   where organization_id = ${scope.organizationId} and customer_id = ${customerId}
     and status in ('open', 'applied')
  union all
  select 'payment', id, reference, date, currency, amount
    from payments
   where organization_id = ${scope.organizationId} and customer_id = ${customerId}
     and status = 'active'`;

export async function customerStatement(
  scope: OrgScope,
  customerId: string,
  period: StatementPeriod,
): Promise<Statement> {
  const [opening, entries] = await Promise.all([
    queryRows<{ currency: string; balance: string }>(
      scope.db,
      sql`select currency,
                 sum(case when kind = 'invoice' then amount else -amount end)::text as balance
            from (${entriesSql(scope, customerId)}) e
           where date < ${period.from}
           group by currency`,
    ),
    queryRows<{
      kind: StatementEntry['kind'];
      id: string;
      reference: string | null;
      date: string | Date;
      currency: string;
      amount: string;
    }>(
      scope.db,
      sql`select kind, id, reference, date::text as date, currency, amount::text as amount
            from (${entriesSql(scope, customerId)}) e
           where date between ${period.from} and ${period.to}
           order by date, kind, reference`,
    ),
  ]);
  return {
    ...period,
    currencies: buildStatements(
      new Map(opening.map((o) => [o.currency, o.balance])),
      entries.map((e) => ({ ...e, date: String(e.date), amount: String(e.amount) })),
    ),
  };
}

const KIND_LABEL: Record<StatementEntry['kind'], string> = {
  invoice: 'Invoice',
  credit_note: 'Credit note',
  payment: 'Payment',
};
export const statementKindLabel = (k: StatementEntry['kind']) => KIND_LABEL[k];

/** The statement as CSV (one block per currency; values that look like formulas are quoted safe). */
export function statementCsv(s: Statement): string {
  const rows: string[][] = [['Date', 'Type', 'Reference', 'Currency', 'Charges', 'Credits', 'Balance']];
  for (const c of s.currencies) {
    rows.push([s.from, 'Opening balance', '', c.currency, '', '', c.opening]);
    for (const l of c.lines)
      rows.push([
        l.date,
        KIND_LABEL[l.kind],
        safeCell(l.reference ?? ''),
        c.currency,
        l.debit ?? '',
        l.credit ?? '',
        l.balance,
      ]);
    rows.push([s.to, 'Closing balance', '', c.currency, c.debits, c.credits, c.closing]);
  }
  return stringify(rows);
}

/** A cell starting with = + - @ would run as a formula in a spreadsheet: prefix it. */
function safeCell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}
