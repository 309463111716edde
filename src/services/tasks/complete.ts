/**
 * Completing a task with its outcome. Everything happens in one transaction, so bad input (an
 * invalid promise, a dispute without a message) changes nothing, and a task is completed once: a
 * second completion (a double click, a retried request, two clerks at once) is a ConflictError.
 *
 * - `promise` → a promise to pay (source `call`, linked to the task); `dispute` → a dispute;
 * - `wrong_number` → the number is marked unusable (see phones.ts) and a "find a working number"
 *   task follows the next business day;
 * - `no_answer` → a second try two business days later (once);
 * - `reached` (and promise/dispute) may carry the customer's preferences (introductory call);
 * - every completion → an activity (`call.logged` for calls, `task.done` otherwise), a write-back
 *   note on the invoices (one per task and invoice, whatever happens later), an audit entry.
 */
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { Db } from '../../db/client';
import { activities, invoices, tasks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { localDateOf } from '../../domain/calendar';
import { parseMoney } from '../../domain/money';
import { displayMoney } from '../../email';
import { audit, type Actor } from '../audit';
import { ConflictError, NotFoundError, ValidationError, zodMessage } from '../errors';
import { savePreferences } from '../onboarding/preferences';
import { findOrganization } from '../organizations';
import { planSoon } from '../reminders/due';
import { queueInvoiceNote } from '../writeBack/queue';
import { afterCommitQueue } from './afterCommit';
import { disputeFromCall, promiseFromCall } from './cases';
import { findWorkingNumber, retryAfterNoAnswer } from './followUps';
import { OUTCOME_LABELS } from './history';
import { completeTaskInput, type CompleteTaskInput } from './input';
import { markPhonesUnusable, phoneDigits, phonesOf } from './phones';

export interface CompletedTask {
  taskId: string;
  outcome: CompleteTaskInput['outcome'] | null;
  promiseId: string | null;
  disputeId: string | null;
  /** The second try (no answer) or the "find a working number" task (wrong number). */
  followUpTaskId: string | null;
  preferencesSaved: boolean;
}

export function parseCompleteInput(raw: unknown): CompleteTaskInput {
  const parsed = completeTaskInput.safeParse(raw);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(field ? message.slice(field.length + 2) : message, field);
  }
  return parsed.data;
}

const userIdOf = (actor: Actor) => (actor.type === 'user' ? actor.id : null);

export async function completeTask(
  app: AppContext,
  scope: OrgScope,
  taskId: string,
  raw: unknown,
  actor: Actor,
): Promise<CompletedTask> {
  const input = parseCompleteInput(raw);
  const org = await findOrganization(scope.db as Db, scope.organizationId);
  const now = app.now();
  const today = localDateOf(now, org.timezone);
  const after = afterCommitQueue(app);

  const result = await scope.transaction(async (tx) => {
    const txApp: AppContext = { ...after.app, db: tx.db as Db };
    const task = await tx.findById(tasks, taskId);
    if (!task) throw new NotFoundError('task');
    if (task.status !== 'open') throw new ConflictError(`this task is already ${task.status}`);
    if (task.kind === 'call' && !input.outcome)
      throw new ValidationError(
        'say how the call went (reached, no answer, promise, dispute, wrong number)',
        'outcome',
      );

    const [claimed] = await tx
      .update(
        tasks,
        {
          status: 'done',
          outcome: input.outcome ?? null,
          outcomeNote: input.note || null,
          completedByUserId: userIdOf(actor),
          completedAt: now,
        },
        and(eq(tasks.id, taskId), eq(tasks.status, 'open')),
      )
      .returning();
    if (!claimed) throw new ConflictError('this task was completed a moment ago');

    const out: CompletedTask = {
      taskId,
      outcome: input.outcome ?? null,
      promiseId: null,
      disputeId: null,
      followUpTaskId: null,
      preferencesSaved: false,
    };
    let detail = '';
    switch (input.outcome) {
      case 'promise': {
        const p = input.promise!;
        const invoiceIds = p.invoiceIds ?? task.invoiceIds;
        if (invoiceIds.length === 0)
          throw new ValidationError('choose at least one invoice', 'promise.invoiceIds');
        out.promiseId = await promiseFromCall(
          txApp,
          tx,
          {
            customerId: task.customerId,
            invoiceIds,
            amount: p.amount,
            promisedDate: p.promisedDate,
            ...(input.note ? { note: input.note } : {}),
            ...(input.contactId ? { contactId: input.contactId } : {}),
            taskId,
          },
          actor,
        );
        const currency = await invoiceCurrency(tx, invoiceIds[0]!);
        detail = ` Promised ${currency ? displayMoney(parseMoney(p.amount), currency) : p.amount} by ${p.promisedDate}.`;
        break;
      }
      case 'dispute': {
        const d = input.dispute!;
        const invoiceIds = d.invoiceIds ?? task.invoiceIds;
        if (invoiceIds.length === 0)
          throw new ValidationError('choose at least one invoice', 'dispute.invoiceIds');
        out.disputeId = await disputeFromCall(
          txApp,
          tx,
          {
            customerId: task.customerId,
            category: d.category,
            invoiceIds,
            message: d.message,
            ...(input.contactId ? { contactId: input.contactId } : {}),
          },
          actor,
        );
        detail = ` Disputed (${d.category.replace('_', ' ')}).`;
        break;
      }
      case 'wrong_number': {
        const known =
          (await phonesOf(tx.db, tx.organizationId, [task.customerId])).get(task.customerId) ?? [];
        let wrong = known.filter((k) => k.usable).map((k) => k.phone);
        if (input.phone) {
          const digits = phoneDigits(input.phone);
          const match = known.find((k) => phoneDigits(k.phone) === digits);
          if (!digits || !match) throw new ValidationError('is not one of the customer’s numbers', 'phone');
          wrong = match.usable ? [match.phone] : [];
        }
        const marked = await markPhonesUnusable(tx, task.customerId, wrong, {
          userId: userIdOf(actor),
          taskId,
        });
        out.followUpTaskId = await findWorkingNumber(tx, claimed, marked, today, org.country);
        // a call step may now have no number to call: let the planner see it at once
        if (marked.length) await planSoon(tx.db, tx.organizationId, { customerId: task.customerId });
        if (marked.length) detail = ` Wrong number: ${marked.join(', ')}.`;
        break;
      }
      case 'no_answer':
        out.followUpTaskId = await retryAfterNoAnswer(tx, claimed, today, org.country);
        break;
      default:
        break;
    }
    if (input.preferences)
      out.preferencesSaved = await savePreferences(tx, task.customerId, input.preferences, actor, { taskId });

    const isCall = task.kind === 'call' || input.outcome !== undefined;
    await tx.insert(activities, {
      customerId: task.customerId,
      kind: isCall ? 'call.logged' : 'task.done',
      actorType: actor.type === 'user' ? 'user' : 'system',
      actorUserId: userIdOf(actor),
      invoiceIds: task.invoiceIds,
      body: input.note || null,
      data: {
        taskId,
        taskKind: task.kind,
        title: task.title,
        outcome: input.outcome ?? null,
        promiseId: out.promiseId,
        disputeId: out.disputeId,
        followUpTaskId: out.followUpTaskId,
      },
    });
    const what = isCall
      ? `call on ${today}: ${OUTCOME_LABELS[input.outcome ?? ''] ?? 'done'}.`
      : `task "${task.title}" done on ${today}.`;
    const text = `Duely: ${what}${detail}${input.note ? ` Note: ${input.note.slice(0, 500)}` : ''}`;
    for (const invoiceId of task.invoiceIds) {
      await queueInvoiceNote(txApp, tx, {
        invoiceId,
        text,
        idempotencyKey: `note:task:${taskId}:${invoiceId}`,
      });
    }
    await audit(
      tx,
      actor,
      'task.completed',
      { type: 'task', id: taskId },
      {
        outcome: input.outcome ?? null,
        promiseId: out.promiseId,
        disputeId: out.disputeId,
      },
    );
    return out;
  });
  await after.flush();
  return result;
}

async function invoiceCurrency(tx: OrgScope, invoiceId: string): Promise<string | null> {
  const inv = await tx.findById(invoices, invoiceId);
  return inv?.currency ?? null;
}
