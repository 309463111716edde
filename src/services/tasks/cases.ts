/**
 * A call's outcome becomes a case: a promise to pay or a dispute, recorded through the promise and
 * dispute services (source `call`), so their rules (valid invoices, amounts, dates, reference
 * numbers, reminders paused) apply exactly as for the portal.
 */
import type { AppContext } from '../../app/context';
import type { OrgScope } from '../../db/scope';
import type { Actor } from '../audit';
import { openDispute } from '../disputes';
import { createPromise } from '../promises';

export async function promiseFromCall(
  app: AppContext,
  scope: OrgScope,
  p: {
    customerId: string;
    invoiceIds: string[];
    amount: string;
    promisedDate: string;
    note?: string;
    contactId?: string;
    taskId: string;
  },
  actor: Actor,
): Promise<string> {
  return (await createPromise(app, scope, p, { actor, source: 'call' })).id;
}

export async function disputeFromCall(
  app: AppContext,
  scope: OrgScope,
  p: { customerId: string; category: string; invoiceIds: string[]; message: string; contactId?: string },
  actor: Actor,
): Promise<string> {
  return (await openDispute(app, scope, { ...p, kind: 'dispute' }, { actor, source: 'call' })).id;
}
