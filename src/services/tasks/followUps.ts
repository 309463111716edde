/**
 * The tasks a call outcome leaves behind: a second try two business days after no answer (only
 * once: a second try that is not answered either leaves it to the sequence), and a "find a working
 * number" task the next business day after a wrong number. Each is keyed on the task it follows,
 * so completing, reopening and completing again never makes two.
 */
import { tasks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { addBusinessDays, type LocalDate } from '../../domain/calendar';

type Task = typeof tasks.$inferSelect;

export const RETRY_PREFIX = 'retry:';
export const FIND_NUMBER_PREFIX = 'find-number:';

export const isRetry = (task: Pick<Task, 'idempotencyKey'>): boolean =>
  task.idempotencyKey.startsWith(RETRY_PREFIX);

/** The points that still hold on a follow-up (what is owed, history), without the old reason line. */
const carried = (task: Task) => task.talkingPoints.filter((p) => !p.startsWith('No answer on '));

async function insertFollowUp(tx: OrgScope, values: Omit<typeof tasks.$inferInsert, 'organizationId'>) {
  const [row] = await tx.insert(tasks, values).onConflictDoNothing().returning({ id: tasks.id });
  return row?.id ?? null;
}

export async function retryAfterNoAnswer(
  tx: OrgScope,
  task: Task,
  today: LocalDate,
  country: string,
): Promise<string | null> {
  if (isRetry(task)) return null;
  return insertFollowUp(tx, {
    customerId: task.customerId,
    invoiceIds: task.invoiceIds,
    kind: task.kind,
    title: `${task.title} (second try)`,
    talkingPoints: [`No answer on ${today}: this is the second try`, ...carried(task)],
    assigneeUserId: task.assigneeUserId,
    dueDate: addBusinessDays(today, 2, country),
    idempotencyKey: `${RETRY_PREFIX}${task.id}`,
  });
}

export async function findWorkingNumber(
  tx: OrgScope,
  task: Task,
  wrong: readonly string[],
  today: LocalDate,
  country: string,
): Promise<string | null> {
  return insertFollowUp(tx, {
    customerId: task.customerId,
    invoiceIds: task.invoiceIds,
    kind: 'other',
    title: 'Find a working phone number',
    talkingPoints: [
      wrong.length ? `Wrong number: ${wrong.join(', ')}` : 'The number called was wrong',
      'Look for a current number: the customer’s website, the AP contact, signatures in recent e-mails',
      'Add it in the accounting system (the next sync brings it in), then call about the open invoices',
      ...carried(task).filter((p) => p.startsWith('Owed:') || p.startsWith('Total:')),
    ],
    assigneeUserId: task.assigneeUserId,
    dueDate: addBusinessDays(today, 1, country),
    idempotencyKey: `${FIND_NUMBER_PREFIX}${task.id}`,
  });
}
