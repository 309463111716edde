/**
 * What the reminders sweep has to look at now, found through the partial index on
 * `invoices.next_action_at` (open invoices only): the invoices whose next planned moment has come,
 * plus the ones not planned since they arrived or changed (null). The cost follows the number of
 * such invoices, not the number of open invoices, so a sweep every 15 minutes stays cheap however
 * large the ledger grows; each due firm then plans only its due customers.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/client';

export interface DueFirm {
  organizationId: string;
  /** Customers with at least one invoice due for planning, sorted. */
  customerIds: string[];
  invoices: number;
}

const dueCondition = (now: Date) =>
  sql`i.status = 'open' and (i.next_action_at is null or i.next_action_at <= ${now.toISOString()}::timestamptz)`;

/** The sweep's query: live firms with invoices due for planning at `now`, with their due customers. */
export function findDueQuery(now: Date) {
  return sql`select d.organization_id as "organizationId",
               array_agg(distinct d.customer_id order by d.customer_id) as "customerIds",
               count(*)::int as invoices
          from (select i.organization_id, i.customer_id from invoices i where ${dueCondition(now)}) d
          join organizations o on o.id = d.organization_id and o.automation = 'live'
         group by d.organization_id
         order by d.organization_id`;
}

/** Live firms with invoices due for planning at `now`, with their due customers. */
export async function findDue(db: Queryable, now: Date): Promise<DueFirm[]> {
  const rows = await queryRows<{ organizationId: string; customerIds: string[]; invoices: number }>(
    db,
    findDueQuery(now),
  );
  return rows.map((r) => ({ ...r, customerIds: r.customerIds.map(String) }));
}

/** One firm's customers with invoices due for planning (when the sweep did not pass them). */
export async function dueCustomers(db: Queryable, organizationId: string, now: Date): Promise<string[]> {
  const rows = await queryRows<{ customerId: string }>(
    db,
    sql`select distinct i.customer_id as "customerId" from invoices i
         where i.organization_id = ${organizationId} and ${dueCondition(now)}
         order by 1`,
  );
  return rows.map((r) => r.customerId);
}

/** Live firms with reminder e-mails whose send job may have been lost (see requeueStrandedEmails). */
export async function firmsWithStrandedEmails(db: Queryable, now: Date): Promise<string[]> {
  const rows = await queryRows<{ organizationId: string }>(
    db,
    sql`select distinct e.organization_id as "organizationId"
          from emails e
          join organizations o on o.id = e.organization_id and o.automation = 'live'
         where e.status in ('queued', 'sending') and e.status = 'queued'
           and e.created_at < ${new Date(now.getTime() - 5 * 60_000).toISOString()}::timestamptz
           and e.kind = 'reminder'`,
  );
  return rows.map((r) => r.organizationId);
}

/**
 * Have the sweep plan a customer's open invoices (or some invoices) at its next pass: for changes
 * the planner should see at once (preferences, onboarding started, a resolved dispute) rather
 * than at the invoice's next planned moment or its daily look.
 */
export async function planSoon(
  db: Queryable,
  organizationId: string,
  which: { customerId: string } | { invoiceIds: readonly string[] },
): Promise<void> {
  const target =
    'customerId' in which
      ? sql`i.customer_id = ${which.customerId}`
      : sql`i.id in (select (jsonb_array_elements_text(${JSON.stringify(which.invoiceIds)}::jsonb))::uuid)`;
  await db.execute(
    sql`update invoices i set next_action_at = null
         where i.organization_id = ${organizationId} and i.status = 'open' and ${target}
           and i.next_action_at is not null`,
  );
}
