/**
 * Onboarding by hand, and its end. A customer's onboarding is `done` once the onboarding
 * sequence has nothing left for its anchoring invoice (its last step, in the order the steps fall
 * due, is done — earlier ones may have been superseded by a catch-up) or once that invoice is no
 * longer open (paid, voided, deleted before the first due date).
 */
import { eq, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/client';
import { activities, customers } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { addDays, onOrNextBusinessDay } from '../../domain/calendar';
import type { PlannerSequence } from '../../domain/planner';
import { audit, type Actor } from '../audit';
import { ConflictError, NotFoundError } from '../errors';
import { planSoon } from '../reminders/due';
import { plannerSequences } from '../sequences';
import { activatePending } from './detect';

export const ONBOARDING_SEQUENCE_KEY = 'onboarding';

/**
 * Start onboarding for an existing customer (one the first sync brought in, or one that was never
 * onboarded). It becomes active at once when it has an open invoice, else when the first arrives.
 */
export async function startOnboarding(
  scope: OrgScope,
  customerId: string,
  actor: Actor,
): Promise<{ status: 'pending' | 'active'; invoiceId: string | null }> {
  return scope.transaction(async (tx) => {
    const customer = await tx.findById(customers, customerId);
    if (!customer || customer.deletedAt) throw new NotFoundError('customer');
    if (customer.onboardingStatus === 'pending' || customer.onboardingStatus === 'active')
      throw new ConflictError('onboarding is already under way for this customer');
    if (customer.onboardingStatus === 'done')
      throw new ConflictError('this customer has already been onboarded');
    await tx.update(
      customers,
      { onboardingStatus: 'pending', onboardingInvoiceId: null, updatedAt: new Date() },
      eq(customers.id, customerId),
    );
    await activatePending(tx.db, tx.organizationId, sql`c.id = ${customerId}`);
    await planSoon(tx.db, tx.organizationId, { customerId });
    const after = await tx.findById(customers, customerId);
    const status = after!.onboardingStatus === 'active' ? 'active' : 'pending';
    await tx.insert(activities, {
      customerId,
      kind: 'onboarding.started',
      actorType: actor.type === 'user' ? 'user' : 'system',
      actorUserId: actor.type === 'user' ? actor.id : null,
      data: { status },
    });
    await audit(tx, actor, 'onboarding.started', { type: 'customer', id: customerId });
    return { status, invoiceId: after!.onboardingInvoiceId };
  });
}

interface ActiveRow {
  id: string;
  invoiceId: string | null;
  invoiceOpen: boolean;
  issueDate: string | null;
  dueDate: string | null;
  doneSteps: string[] | null;
}

/** Keys of the steps still ahead after the last one done, in the order they fall due. */
export function stepsLeft(
  sequence: Pick<PlannerSequence, 'steps'>,
  invoice: { issueDate: string; dueDate: string },
  done: ReadonlySet<string>,
  country: string,
): string[] {
  const ordered = sequence.steps
    .map((step, order) => {
      const anchor = step.from === 'issue' ? invoice.issueDate : invoice.dueDate;
      return { key: step.key, date: onOrNextBusinessDay(addDays(anchor, step.offsetDays), country), order };
    })
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.order - b.order));
  let lastDone = -1;
  ordered.forEach((s, i) => {
    if (done.has(s.key)) lastDone = i;
  });
  return ordered.slice(lastDone + 1).map((s) => s.key);
}

/** Active onboardings with nothing left to do become `done`; returns how many. */
export async function finishOnboarding(db: Queryable, org: { id: string; country: string }): Promise<number> {
  const rows = await queryRows<ActiveRow>(
    db,
    sql`select c.id, c.onboarding_invoice_id as "invoiceId", coalesce(i.status = 'open', false) as "invoiceOpen",
               i.issue_date::text as "issueDate", i.due_date::text as "dueDate",
               (select array_agg(s.step_key) from invoice_steps s
                 where s.organization_id = c.organization_id and s.invoice_id = i.id) as "doneSteps"
          from customers c
          left join invoices i on i.id = c.onboarding_invoice_id and i.organization_id = c.organization_id
         where c.organization_id = ${org.id} and c.onboarding_status = 'active'`,
  );
  if (rows.length === 0) return 0;
  const scope = new OrgScope(db, org.id);
  const sequence = (await plannerSequences(scope)).find((s) => s.key === ONBOARDING_SEQUENCE_KEY);
  const finished = rows.filter((r) => {
    if (!r.invoiceOpen || !r.issueDate || !r.dueDate) return true;
    if (!sequence) return true;
    return (
      stepsLeft(
        sequence,
        { issueDate: r.issueDate, dueDate: r.dueDate },
        new Set(r.doneSteps ?? []),
        org.country,
      ).length === 0
    );
  });
  for (const r of finished) {
    await scope.update(
      customers,
      { onboardingStatus: 'done', updatedAt: new Date() },
      eq(customers.id, r.id),
      sql`${customers.onboardingStatus} = 'active'`,
    );
  }
  return finished.length;
}
