/**
 * The customer's history as talking points for a call or letter task: the last payment, how past
 * promises to pay went, and the last call and its outcome (the runner adds what is owed and the
 * last reminder).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/client';
import { parseMoney } from '../../domain/money';
import { displayMoney } from '../../email';

interface HistoryRow {
  lastPaymentDate: string | null;
  lastPaymentAmount: string | null;
  lastPaymentCurrency: string | null;
  kept: number;
  broken: number;
  partial: number;
  lastCallDate: string | null;
  lastCallOutcome: string | null;
}

export const OUTCOME_LABELS: Record<string, string> = {
  reached: 'reached',
  no_answer: 'no answer',
  promise: 'promise to pay',
  dispute: 'dispute raised',
  wrong_number: 'wrong number',
};

export async function customerHistoryPoints(
  db: Queryable,
  organizationId: string,
  customerId: string,
): Promise<string[]> {
  const [h] = await queryRows<HistoryRow>(
    db,
    sql`select
          (select p.date::text from payments p where p.organization_id = ${organizationId}
             and p.customer_id = ${customerId} and p.status = 'active'
           order by p.date desc, p.created_at desc limit 1) as "lastPaymentDate",
          (select p.amount::text from payments p where p.organization_id = ${organizationId}
             and p.customer_id = ${customerId} and p.status = 'active'
           order by p.date desc, p.created_at desc limit 1) as "lastPaymentAmount",
          (select p.currency from payments p where p.organization_id = ${organizationId}
             and p.customer_id = ${customerId} and p.status = 'active'
           order by p.date desc, p.created_at desc limit 1) as "lastPaymentCurrency",
          (select count(*)::int from promises r where r.organization_id = ${organizationId}
             and r.customer_id = ${customerId} and r.status = 'kept') as kept,
          (select count(*)::int from promises r where r.organization_id = ${organizationId}
             and r.customer_id = ${customerId} and r.status = 'broken') as broken,
          (select count(*)::int from promises r where r.organization_id = ${organizationId}
             and r.customer_id = ${customerId} and r.status = 'partially_kept') as partial,
          (select to_char(t.completed_at at time zone 'UTC', 'YYYY-MM-DD') from tasks t
            where t.organization_id = ${organizationId} and t.customer_id = ${customerId}
              and t.status = 'done' and t.outcome is not null
            order by t.completed_at desc limit 1) as "lastCallDate",
          (select t.outcome from tasks t
            where t.organization_id = ${organizationId} and t.customer_id = ${customerId}
              and t.status = 'done' and t.outcome is not null
            order by t.completed_at desc limit 1) as "lastCallOutcome"`,
  );
  if (!h) return [];
  const points: string[] = [];
  points.push(
    h.lastPaymentDate && h.lastPaymentAmount && h.lastPaymentCurrency
      ? `Last payment: ${displayMoney(parseMoney(h.lastPaymentAmount), h.lastPaymentCurrency)} on ${h.lastPaymentDate}`
      : 'Last payment: none on record',
  );
  if (h.kept + h.broken + h.partial > 0) {
    const parts = [`${h.kept} kept`, `${h.broken} broken`];
    if (h.partial > 0) parts.push(`${h.partial} partly kept`);
    points.push(`Promises to pay so far: ${parts.join(', ')}`);
  }
  if (h.lastCallDate && h.lastCallOutcome) {
    points.push(`Last call: ${h.lastCallDate}, ${OUTCOME_LABELS[h.lastCallOutcome] ?? h.lastCallOutcome}`);
  }
  return points;
}
