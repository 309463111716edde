/**
 * When a customer is "newly synced", and when its onboarding starts.
 *
 * The rule: a customer is new when the sync that first writes it runs after the connection's first
 * completed sync (a run that succeeded or partly succeeded, whatever its mode). The customers that
 * the first sync brings in are the firm's existing relationships: they get no welcome. A new
 * customer is `pending` until its first open invoice arrives; that invoice anchors the onboarding
 * sequence (`onboarding_invoice_id`) and the customer becomes `active`. A clerk can also start
 * onboarding by hand (`startOnboarding`).
 *
 * Both steps are set-based statements limited to the customers a sync batch touched, so they cost
 * next to nothing per batch (sync ingest calls `advanceOnboarding` once per batch).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { SyncBatch } from '../../../connectors/types';
import { queryRows, type Queryable } from '../../db/client';

export interface OnboardingTarget {
  db: Queryable;
  organizationId: string;
  connectionId: string;
}

/** The customers a batch may have created or given a first invoice (by external id). */
export function touchedCustomers(batch: SyncBatch): string[] {
  const ids = new Set<string>();
  for (const c of batch.customers ?? []) ids.add(c.externalId);
  for (const i of batch.invoices ?? []) if (i.status === 'open') ids.add(i.customerExternalId);
  return [...ids];
}

const jsonList = (values: string[]) =>
  sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

/** Mark the batch's new customers pending, then activate pending ones that now have an open invoice. */
export async function advanceOnboarding(t: OnboardingTarget, customerExternalIds: string[]): Promise<void> {
  if (customerExternalIds.length === 0) return;
  const [first] = await queryRows<{ at: string | null }>(
    t.db,
    sql`select min(finished_at)::text as at from sync_runs
         where organization_id = ${t.organizationId} and connection_id = ${t.connectionId}
           and status in ('succeeded', 'partial') and finished_at is not null`,
  );
  // The connection's first sync is still running: everything it writes already existed.
  if (!first?.at) return;
  const touched = sql`c.organization_id = ${t.organizationId} and c.connection_id = ${t.connectionId}
                  and c.external_id in ${jsonList(customerExternalIds)}`;
  await t.db.execute(
    sql`update customers c set onboarding_status = 'pending', updated_at = now()
         where ${touched} and c.onboarding_status = 'none' and c.deleted_at is null
           and c.created_at > ${first.at}::timestamptz`,
  );
  await activatePending(t.db, t.organizationId, touched);
}

/**
 * Pending customers (among `which`, a condition on `customers c`) with an open invoice become
 * active, anchored on their earliest open invoice.
 */
export async function activatePending(db: Queryable, organizationId: string, which: SQL): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update customers c set onboarding_status = 'active', onboarding_invoice_id = f.invoice_id,
               updated_at = now()
          from (select distinct on (i.customer_id) i.customer_id, i.id as invoice_id
                  from invoices i
                  join customers c on c.id = i.customer_id and c.organization_id = i.organization_id
                 where i.organization_id = ${organizationId} and i.status = 'open'
                   and c.onboarding_status = 'pending' and ${which}
                 order by i.customer_id, i.issue_date, i.created_at, i.id) f
         where c.id = f.customer_id and c.organization_id = ${organizationId}
           and c.onboarding_status = 'pending'
        returning c.id`,
  );
  return rows.length;
}
