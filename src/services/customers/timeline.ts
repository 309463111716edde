/**
 * One timeline per customer: invoices issued and paid, payments, messages (sent, opened, clicked,
 * bounced, failed), tasks and call outcomes, promises (made and settled), disputes and their
 * thread, and the activities (notes, portal visits, links sent, pauses, sequence changes…).
 *
 * One UNION ALL statement, each branch reading one table through its (organization_id,
 * customer_id) index, newest first with a keyset cursor (time, kind:id) so "show older" pages are
 * stable while new entries arrive; then one query for the invoice numbers the page mentions.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { ValidationError } from '../errors';

export interface TimelineEntry {
  /** `kind:id`, unique on the timeline. */
  key: string;
  at: Date;
  /** Dated facts (an invoice's issue date, a payment's date) have no time of day. */
  dateOnly: boolean;
  kind: string;
  refId: string;
  actorType: 'user' | 'customer' | 'system';
  actorName: string | null;
  title: string | null;
  body: string | null;
  amount: string | null;
  currency: string | null;
  status: string | null;
  invoiceIds: string[];
  invoiceNumbers: string[];
  data: Record<string, unknown>;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  /** Cursor of the next (older) page, or null at the beginning of the customer's history. */
  older: string | null;
}

/**
 * Activities that repeat what a table already shows: opens, clicks and bounces of a message (the
 * messages row has their times) and a task's completion (the tasks row has its outcome and note).
 */
const FROM_MESSAGES = ['message.opened', 'message.clicked', 'message.bounced'];
const FROM_TASKS = ['call.logged', 'task.done'];
/** Tasks created only to record a call logged from the customer page (services/customers/calls.ts). */
export const LOGGED_CALL_PREFIX = 'logcall:';

interface Raw {
  at: Date | string;
  /** The time with microseconds (a JS Date keeps milliseconds: the cursor must not lose any). */
  atText: string;
  dateOnly: boolean;
  kind: string;
  refId: string;
  sortKey: string;
  actorType: 'user' | 'customer' | 'system';
  actorName: string | null;
  actorEmail: string | null;
  title: string | null;
  body: string | null;
  amount: string | null;
  currency: string | null;
  status: string | null;
  invoiceIds: string[] | null;
  data: Record<string, unknown> | null;
}

export function encodeCursor(atText: string, sortKey: string): string {
  return Buffer.from(`${atText}|${sortKey}`, 'utf8').toString('base64url');
}

export function decodeTimelineCursor(cursor: string): { at: string; sortKey: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([a-z_.]+:[0-9a-f-]{36})$/.exec(text);
  if (!m || Number.isNaN(Date.parse(m[1]!)))
    throw new ValidationError('is not a valid timeline cursor', 'before');
  return { at: m[1]!, sortKey: m[2]! };
}

export async function customerTimeline(
  scope: OrgScope,
  customerId: string,
  opts: { timezone: string; limit?: number; before?: string | null },
): Promise<TimelinePage> {
  const org = scope.organizationId;
  const limit = Math.min(Math.max(opts.limit ?? 30, 1), 200);
  const tz = opts.timezone;
  const cursor = opts.before ? decodeTimelineCursor(opts.before) : null;
  const older = cursor
    ? sql`where (t.at, t.sort_key) < (${cursor.at}::timestamptz, ${cursor.sortKey}::text)`
    : sql``;
  const rows = await queryRows<Raw>(
    scope.db,
    sql`
    with t as (
      select (i.issue_date::timestamp at time zone ${tz}) as at, true as date_only, 'invoice.issued' as kind,
             i.id as ref_id, 'system' as actor_type, null::uuid as actor_user_id, i.number as title,
             null::text as body, i.total::text as amount, i.currency, i.status, array[i.id] as invoice_ids,
             jsonb_build_object('dueDate', i.due_date::text) as data
        from invoices i where i.organization_id = ${org} and i.customer_id = ${customerId}
      union all
      select i.paid_at, false, 'invoice.paid', i.id, 'system', null, i.number, null, i.total::text, i.currency,
             i.status, array[i.id], '{}'::jsonb
        from invoices i
       where i.organization_id = ${org} and i.customer_id = ${customerId} and i.paid_at is not null
      union all
      select (p.date::timestamp at time zone ${tz}), true, 'payment.received', p.id,
             case when p.source = 'portal' then 'customer' else 'system' end, null, p.reference, p.method,
             p.amount::text, p.currency, p.status,
             (select array_agg(a.invoice_id) from payment_allocations a
               where a.organization_id = p.organization_id and a.payment_id = p.id and a.invoice_id is not null),
             jsonb_build_object('source', p.source)
        from payments p where p.organization_id = ${org} and p.customer_id = ${customerId}
      union all
      select e.at, false, e.kind, m.id, 'system', null, m.subject, m.error, null, null, m.status, m.invoice_ids,
             jsonb_build_object('channel', m.channel, 'to', m.to_address, 'sequence', m.sequence_key,
                                'step', m.step_key, 'live', m.live)
        from messages m
        cross join lateral (values
          (case m.status when 'queued' then 'message.queued' when 'failed' then 'message.failed'
                         else 'message.sent' end,
           coalesce(m.sent_at, m.send_at)),
          ('message.opened', m.opened_at),
          ('message.clicked', m.clicked_at),
          ('message.bounced', m.bounced_at)) as e(kind, at)
       where m.organization_id = ${org} and m.customer_id = ${customerId} and e.at is not null
      union all
      select k.created_at, false, 'task.created', k.id, 'system', null, k.title, null, null, null, k.status,
             k.invoice_ids, jsonb_build_object('taskKind', k.kind, 'dueDate', k.due_date::text)
        from tasks k where k.organization_id = ${org} and k.customer_id = ${customerId}
         and k.idempotency_key not like ${LOGGED_CALL_PREFIX + '%'}
      union all
      select k.completed_at, false, 'task.' || k.status, k.id,
             case when k.completed_by_user_id is null then 'system' else 'user' end, k.completed_by_user_id,
             k.title, k.outcome_note, null, null, k.outcome, k.invoice_ids, jsonb_build_object('taskKind', k.kind)
        from tasks k
       where k.organization_id = ${org} and k.customer_id = ${customerId} and k.completed_at is not null
         and k.status <> 'open'
      union all
      select p.created_at, false, 'promise.made', p.id,
             case when p.source = 'portal' then 'customer' when p.created_by_user_id is null then 'system' else 'user' end,
             p.created_by_user_id, p.promised_date::text, p.note, p.amount::text, p.currency, p.status,
             (select array_agg(pi.invoice_id) from promise_invoices pi
               where pi.organization_id = p.organization_id and pi.promise_id = p.id),
             jsonb_build_object('promisedDate', p.promised_date::text, 'source', p.source)
        from promises p where p.organization_id = ${org} and p.customer_id = ${customerId}
      union all
      select p.resolved_at, false, 'promise.' || p.status, p.id, 'system', null, p.promised_date::text, null,
             p.amount_paid::text, p.currency, p.status, null, jsonb_build_object('promised', p.amount::text)
        from promises p
       where p.organization_id = ${org} and p.customer_id = ${customerId} and p.resolved_at is not null
         and p.status <> 'active'
      union all
      select d.created_at, false, 'dispute.opened', d.id,
             case when d.source = 'portal' then 'customer' else 'user' end, d.owner_user_id, d.reference,
             d.category, null, null, d.status,
             (select array_agg(di.invoice_id) from dispute_invoices di
               where di.organization_id = d.organization_id and di.dispute_id = d.id),
             jsonb_build_object('disputeKind', d.kind, 'disputeId', d.id)
        from disputes d where d.organization_id = ${org} and d.customer_id = ${customerId}
      union all
      select d.resolved_at, false, 'dispute.resolved', d.id, 'system', null, d.reference, d.outcome, null, null,
             d.status, null, jsonb_build_object('disputeId', d.id)
        from disputes d
       where d.organization_id = ${org} and d.customer_id = ${customerId} and d.resolved_at is not null
      union all
      select dm.created_at, false, 'dispute.message', dm.id,
             case dm.author when 'customer' then 'customer' when 'clerk' then 'user' else 'system' end,
             dm.user_id, d.reference, dm.body, null, null, dm.author, null,
             jsonb_build_object('disputeId', d.id)
        from dispute_messages dm
        join disputes d on d.id = dm.dispute_id and d.organization_id = dm.organization_id
       where dm.organization_id = ${org} and d.customer_id = ${customerId}
      union all
      select a.created_at, false, a.kind, a.id, a.actor_type, a.actor_user_id, null, a.body, null, null, null,
             a.invoice_ids, a.data
        from activities a
       where a.organization_id = ${org} and a.customer_id = ${customerId}
         and not (a.kind in (${sql.join(
           FROM_MESSAGES.map((k) => sql`${k}`),
           sql`, `,
         )}) and a.data ? 'messageId')
         and not (a.kind in (${sql.join(
           FROM_TASKS.map((k) => sql`${k}`),
           sql`, `,
         )}) and a.data ? 'taskId')
    ), keyed as (
      select t.*, t.kind || ':' || t.ref_id as sort_key from t
    )
    select t.at, to_char(t.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "atText", t.date_only as "dateOnly", t.kind, t.ref_id as "refId", t.sort_key as "sortKey",
           t.actor_type as "actorType", u.name as "actorName", u.email as "actorEmail", t.title, t.body,
           t.amount, t.currency, t.status, t.invoice_ids as "invoiceIds", t.data
      from keyed t
      left join users u on u.id = t.actor_user_id
      ${older}
     order by t.at desc, t.sort_key desc
     limit ${limit + 1}`,
  );
  const page = rows.slice(0, limit);
  const numbers = await invoiceNumbers(
    scope,
    customerId,
    page.flatMap((r) => r.invoiceIds ?? []),
  );
  const entries = page.map((r) => {
    const ids = (r.invoiceIds ?? []).filter((x): x is string => !!x);
    return {
      key: r.sortKey,
      at: new Date(r.at),
      dateOnly: r.dateOnly,
      kind: r.kind,
      refId: r.refId,
      actorType: r.actorType,
      actorName: r.actorType === 'user' ? (r.actorName ?? r.actorEmail) : null,
      title: r.title,
      body: r.body,
      amount: r.amount,
      currency: r.currency,
      status: r.status,
      invoiceIds: ids,
      invoiceNumbers: ids.map((id) => numbers.get(id) ?? '').filter(Boolean),
      data: r.data ?? {},
    } satisfies TimelineEntry;
  });
  const last = page[page.length - 1];
  return { entries, older: rows.length > limit && last ? encodeCursor(last.atText, last.sortKey) : null };
}

async function invoiceNumbers(
  scope: OrgScope,
  customerId: string,
  ids: string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return new Map();
  const rows = await queryRows<{ id: string; number: string | null }>(
    scope.db,
    sql`select id, coalesce(number, external_id) as number from invoices
         where organization_id = ${scope.organizationId} and customer_id = ${customerId}
           and id in (select jsonb_array_elements_text(${JSON.stringify(unique)}::jsonb)::uuid)`,
  );
  return new Map(rows.map((r) => [r.id, r.number ?? '']));
}
