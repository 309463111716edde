/**
 * Collection-work figures for the dashboard: dispute first-response SLA attainment, messages and
 * calls per week, and promised cash for the expected-cash forecast. Each is one small indexed
 * aggregate, computed live (they change with every call logged, not only with a sync).
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { addDays, type LocalDate } from '../../domain/calendar/localDate';
import { parseMoney, type Micros } from '../../domain/money';

export interface DisputeSla {
  /** Disputes whose first-response deadline fell in the period and were answered in time. */
  met: number;
  /** …answered late, or still unanswered past the deadline. */
  breached: number;
  /** met / (met + breached) as a percentage with one decimal; null when nothing was due. */
  attainment: number | null;
  /** Open disputes past their deadline right now (what a clerk should look at first). */
  breachedOpenNow: number;
}

/**
 * Dispute SLA attainment over [from, to]: every dispute or request whose first response was due
 * in the period counts once; those still waiting and not yet due are left out (not judged yet).
 */
export async function disputeSla(
  scope: OrgScope,
  p: { from: LocalDate; to: LocalDate; now: Date },
): Promise<DisputeSla> {
  const [row] = await queryRows<{ met: number; breached: number; openNow: number }>(
    scope.db,
    sql`select count(*) filter (where d.first_response_at is not null
                                  and d.first_response_at <= d.first_response_due_at)::int as met,
               count(*) filter (where (d.first_response_at is not null and d.first_response_at > d.first_response_due_at)
                                   or (d.first_response_at is null and d.first_response_due_at < ${p.now}))::int as breached,
               count(*) filter (where d.first_response_at is null and d.status <> 'resolved'
                                  and d.first_response_due_at < ${p.now})::int as "openNow"
          from disputes d
         where d.organization_id = ${scope.organizationId}
           and d.first_response_due_at >= ${p.from}::date
           and d.first_response_due_at < ${addDays(p.to, 1)}::date`,
  );
  // the "breached right now" figure is not limited to the period
  const [now] = await queryRows<{ n: number }>(
    scope.db,
    sql`select count(*)::int as n from disputes d
         where d.organization_id = ${scope.organizationId} and d.status <> 'resolved'
           and d.first_response_at is null and d.first_response_due_at < ${p.now}`,
  );
  const met = row?.met ?? 0;
  const breached = row?.breached ?? 0;
  return {
    met,
    breached,
    attainment: met + breached === 0 ? null : Math.round((met / (met + breached)) * 1000) / 10,
    breachedOpenNow: now?.n ?? 0,
  };
}

export interface WeekActivity {
  /** Monday of the week (ISO weeks, in the firm's time zone). */
  week: LocalDate;
  emails: number;
  calls: number;
}

/** Live e-mails sent and calls completed per week over the last `weeks` weeks (oldest first). */
export async function weeklyActivity(
  scope: OrgScope,
  p: { today: LocalDate; timezone: string; weeks?: number },
): Promise<WeekActivity[]> {
  const weeks = p.weeks ?? 8;
  const rows = await queryRows<{ week: string; emails: number; calls: number }>(
    scope.db,
    sql`with w as (
          select (date_trunc('week', ${p.today}::date) - (k || ' weeks')::interval)::date as week
            from generate_series(0, ${weeks - 1}) k),
        m as (
          select date_trunc('week', (m.sent_at at time zone ${p.timezone}))::date as week, count(*)::int as n
            from messages m
           where m.organization_id = ${scope.organizationId} and m.live and m.channel = 'email'
             and m.status in ('sent', 'bounced') and m.sent_at is not null
             and m.sent_at >= (select min(week) from w) - interval '1 day'
           group by 1),
        c as (
          select date_trunc('week', (t.completed_at at time zone ${p.timezone}))::date as week, count(*)::int as n
            from tasks t
           where t.organization_id = ${scope.organizationId} and t.kind = 'call' and t.status = 'done'
             and t.completed_at >= (select min(week) from w) - interval '1 day'
           group by 1)
        select w.week::text as week, coalesce(m.n, 0) as emails, coalesce(c.n, 0) as calls
          from w left join m on m.week = w.week left join c on c.week = w.week
         order by w.week`,
  );
  return rows;
}

/**
 * What active promises should bring in, dated on their promised dates (amount promised less what
 * has been paid on their invoices since), and the invoices they cover — which the due-date
 * forecast then leaves out, so no amount is counted twice.
 */
export async function promisedCash(
  scope: OrgScope,
  p: { currency: string },
): Promise<{ promises: { date: LocalDate; amount: Micros }[]; invoiceIds: Set<string> }> {
  const rows = await queryRows<{ date: string; amount: string; invoiceIds: string[] }>(
    scope.db,
    sql`select pr.promised_date::text as date,
               greatest(pr.amount - coalesce(sum(pi.balance_at_promise - i.balance), 0), 0)::text as amount,
               array_agg(pi.invoice_id) as "invoiceIds"
          from promises pr
          join promise_invoices pi on pi.promise_id = pr.id and pi.organization_id = pr.organization_id
          join invoices i on i.id = pi.invoice_id and i.organization_id = pr.organization_id
         where pr.organization_id = ${scope.organizationId} and pr.status = 'active'
           and pr.currency = ${p.currency}
         group by pr.id`,
  );
  const invoiceIds = new Set<string>();
  for (const r of rows) for (const id of r.invoiceIds) invoiceIds.add(id);
  return { promises: rows.map((r) => ({ date: r.date, amount: parseMoney(r.amount) })), invoiceIds };
}
