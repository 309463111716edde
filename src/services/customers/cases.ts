/**
 * Promises and disputes recorded from the customer page, through the promise and dispute services
 * (source `clerk`: their checks, audit entries, e-mails and write-back notes apply as everywhere),
 * each form acting once however often it is submitted.
 */
import type { AppContext } from '../../app/context';
import type { OrgScope } from '../../db/scope';
import type { Actor } from '../audit';
import { caseTransaction } from '../cases/transaction';
import { openDispute, replyToDispute } from '../disputes';
import { createPromise } from '../promises';
import { findCustomer } from './detail';
import { lockRequest, priorSubmission, recordSubmission } from './requestKey';

export interface FormResult {
  id: string;
  duplicate: boolean;
}

async function once(
  app: AppContext,
  scope: OrgScope,
  key: string,
  form: string,
  subjectType: string,
  fn: (txApp: AppContext, tx: OrgScope) => Promise<string>,
  actor: Actor,
): Promise<FormResult> {
  return caseTransaction(app, scope, async (txApp, tx) => {
    await lockRequest(tx, key);
    const prior = await priorSubmission(tx, key);
    if (prior?.subjectId) return { id: prior.subjectId, duplicate: true };
    const id = await fn(txApp, tx);
    await recordSubmission(tx, actor, key, form, { type: subjectType, id });
    return { id, duplicate: false };
  });
}

export async function recordPromise(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  p: { invoiceIds: string[]; amount: string; promisedDate: string; note?: string; contactId?: string },
  requestKey: string,
  actor: Actor,
): Promise<FormResult> {
  const customer = await findCustomer(scope, customerId);
  return once(
    app,
    scope,
    requestKey,
    'promise',
    'promise',
    async (txApp, tx) =>
      (
        await createPromise(
          txApp,
          tx,
          {
            customerId: customer.id,
            invoiceIds: p.invoiceIds,
            amount: p.amount,
            promisedDate: p.promisedDate,
            note: p.note || null,
            contactId: p.contactId || null,
          },
          { actor, source: 'clerk' },
        )
      ).id,
    actor,
  );
}

export async function recordDispute(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  p: {
    kind: 'dispute' | 'request';
    category: string;
    invoiceIds: string[];
    message: string;
    contactId?: string;
  },
  requestKey: string,
  actor: Actor,
): Promise<FormResult> {
  const customer = await findCustomer(scope, customerId);
  return once(
    app,
    scope,
    requestKey,
    'dispute',
    'dispute',
    async (txApp, tx) =>
      (
        await openDispute(
          txApp,
          tx,
          {
            customerId: customer.id,
            kind: p.kind,
            category: p.category,
            invoiceIds: p.invoiceIds,
            message: p.message,
            contactId: p.contactId || null,
          },
          { actor, source: 'clerk' },
        )
      ).id,
    actor,
  );
}

/** A clerk's answer in a dispute's thread; the dispute must be this customer's (404 otherwise). */
export async function answerDispute(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  disputeId: string,
  p: { body: string; waitOnCustomer?: boolean },
  requestKey: string,
  actor: Actor,
): Promise<FormResult> {
  const customer = await findCustomer(scope, customerId);
  return once(
    app,
    scope,
    requestKey,
    'dispute_reply',
    'dispute_message',
    async (txApp, tx) =>
      (
        await replyToDispute(
          txApp,
          tx,
          disputeId,
          { body: p.body, waitOnCustomer: p.waitOnCustomer ?? false },
          { actor, source: 'clerk', customerId: customer.id },
        )
      ).messageId,
    actor,
  );
}
