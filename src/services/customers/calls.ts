/**
 * "Log a call" from the customer page: a call task recorded as done with its outcome, through the
 * task service's `completeTask` (which turns a promise or dispute outcome into the case, schedules
 * the follow-ups, writes the note back to the books and audits). The task row and its completion
 * commit together, so bad input (an invalid promise, a dispute without a message) leaves nothing
 * behind; the same form submitted twice is one call.
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { tasks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import type { Actor } from '../audit';
import { completeTask, type CompletedTask } from '../tasks';
import { findContact, findCustomer } from './detail';
import { firmView } from './firm';
import { noteInvoices } from './notes';
import { lockRequest } from './requestKey';
import { LOGGED_CALL_PREFIX } from './timeline';
import { caseTransaction } from '../cases/transaction';

export interface LogCallInput {
  outcome: string;
  note?: string;
  contactId?: string;
  /** The invoices the call was about (default: the oldest open one). */
  invoiceIds: string[];
  promise?: { amount: string; promisedDate: string };
  dispute?: { category: string; message: string };
  requestKey: string;
}

export interface LoggedCall extends CompletedTask {
  duplicate: boolean;
}

export async function logCall(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  input: LogCallInput,
  actor: Actor,
): Promise<LoggedCall> {
  const customer = await findCustomer(scope, customerId);
  if (input.contactId) await findContact(scope, customer.id, input.contactId);
  const invoiceIds = await noteInvoices(scope, customer.id, input.invoiceIds);
  const firm = await firmView(scope, app.now());
  const key = `${LOGGED_CALL_PREFIX}${input.requestKey}`;
  return caseTransaction(app, scope, async (txApp, tx) => {
    await lockRequest(tx, key);
    const [prior] = await tx.select(tasks, eq(tasks.idempotencyKey, key)).limit(1);
    if (prior)
      return {
        taskId: prior.id,
        outcome: prior.outcome,
        promiseId: null,
        disputeId: null,
        followUpTaskId: null,
        preferencesSaved: false,
        duplicate: true,
      };
    const [task] = await tx
      .insert(tasks, {
        customerId: customer.id,
        invoiceIds,
        kind: 'call',
        title: `Call with ${customer.name}`,
        dueDate: firm.today,
        assigneeUserId: actor.type === 'user' ? actor.id : null,
        idempotencyKey: key,
      })
      .returning({ id: tasks.id });
    const raw: Record<string, unknown> = { outcome: input.outcome };
    if (input.note) raw.note = input.note;
    if (input.contactId) raw.contactId = input.contactId;
    if (input.outcome === 'promise' && input.promise)
      raw.promise = { amount: input.promise.amount, promisedDate: input.promise.promisedDate };
    if (input.outcome === 'dispute' && input.dispute)
      raw.dispute = { category: input.dispute.category, message: input.dispute.message };
    const done = await completeTask(txApp, tx, task!.id, raw, actor);
    return { ...done, duplicate: false };
  });
}
