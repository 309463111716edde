/**
 * The task queue: tasks with what a clerk needs to act (customer, invoices and balance, talking
 * points, assignee, a number to call), filtered by assignee and due date, ordered by due date,
 * paged with a keyset cursor.
 */
import { and, asc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { customers, invoices, memberships, tasks, users } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import type { LocalDate } from '../../domain/calendar';
import { formatMoney, parseMoney } from '../../domain/money';
import { ValidationError, zodMessage } from '../errors';
import { listTasksInput, type ListTasksInput } from './input';
import { phonesOf, type PhoneOption } from './phones';

export type DueSection = 'overdue' | 'today' | 'upcoming';

export interface TaskView {
  id: string;
  customerId: string;
  customerName: string;
  invoiceIds: string[];
  invoices: {
    id: string;
    number: string | null;
    dueDate: string;
    balance: string;
    currency: string;
    status: string;
  }[];
  /** Open balance of the task's invoices, per currency. */
  balances: { currency: string; amount: string }[];
  kind: string;
  title: string;
  talkingPoints: string[];
  sequenceKey: string | null;
  stepKey: string | null;
  assigneeUserId: string | null;
  assignee: { id: string; email: string; name: string | null } | null;
  dueDate: string;
  due: DueSection;
  status: string;
  outcome: string | null;
  outcomeNote: string | null;
  /** The first number to call (null when none is known or all were wrong). */
  phone: string | null;
  phones: PhoneOption[];
  createdAt: string;
  completedAt: string | null;
}

export interface TaskPage {
  data: TaskView[];
  nextCursor: string | null;
}

function decodeCursor(cursor: string | undefined): { dueDate: string; id: string } | null {
  if (!cursor) return null;
  const m = /^(\d{4}-\d{2}-\d{2})\|([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError('is not valid', 'cursor');
  return { dueDate: m[1]!, id: m[2]! };
}

const encodeCursor = (t: { dueDate: string; id: string }) =>
  Buffer.from(`${t.dueDate}|${t.id}`, 'utf8').toString('base64url');

export const sectionOf = (dueDate: string, today: LocalDate): DueSection =>
  dueDate < today ? 'overdue' : dueDate === today ? 'today' : 'upcoming';

export async function listTasks(
  scope: OrgScope,
  raw: ListTasksInput,
  ctx: { userId: string | null; today: LocalDate },
): Promise<TaskPage> {
  const parsed = listTasksInput.safeParse(raw);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(field ? message.slice(field.length + 2) : message, field);
  }
  const q = parsed.data;
  const after = decodeCursor(q.cursor);
  const conditions: (SQL | undefined)[] = [];
  if (q.status !== 'all') conditions.push(eq(tasks.status, q.status));
  if (q.kind) conditions.push(eq(tasks.kind, q.kind));
  if (q.customerId) conditions.push(eq(tasks.customerId, q.customerId));
  if (q.assignee === 'me') {
    if (!ctx.userId) throw new ValidationError('"me" needs a signed-in user; pass a user id', 'assignee');
    conditions.push(eq(tasks.assigneeUserId, ctx.userId));
  } else if (q.assignee === 'unassigned') conditions.push(isNull(tasks.assigneeUserId));
  else if (q.assignee) conditions.push(eq(tasks.assigneeUserId, q.assignee));
  if (q.due === 'today') conditions.push(eq(tasks.dueDate, ctx.today));
  if (q.due === 'overdue') conditions.push(lt(tasks.dueDate, ctx.today));
  if (q.due === 'upcoming') conditions.push(gt(tasks.dueDate, ctx.today));
  if (after)
    conditions.push(
      or(gt(tasks.dueDate, after.dueDate), and(eq(tasks.dueDate, after.dueDate), gt(tasks.id, after.id))),
    );

  const rows = await selectTasks(scope, conditions, q.limit + 1);
  const data = await toViews(scope, rows.slice(0, q.limit), ctx.today);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}

/** One task as the queue shows it (any status); undefined when it is not this firm's. */
export async function getTask(
  scope: OrgScope,
  taskId: string,
  ctx: { today: LocalDate },
): Promise<TaskView | undefined> {
  if (!isUuid(taskId)) return undefined;
  const rows = await selectTasks(scope, [eq(tasks.id, taskId)], 1);
  return (await toViews(scope, rows, ctx.today))[0];
}

type TaskRow = Awaited<ReturnType<typeof selectTasks>>[number];

function selectTasks(scope: OrgScope, conditions: (SQL | undefined)[], limit: number) {
  return scope.db
    .select({
      task: tasks,
      customerName: customers.name,
      assigneeEmail: users.email,
      assigneeName: users.name,
    })
    .from(tasks)
    .innerJoin(
      customers,
      and(eq(customers.id, tasks.customerId), eq(customers.organizationId, tasks.organizationId)),
    )
    .leftJoin(users, eq(users.id, tasks.assigneeUserId))
    .where(scope.where(tasks, ...conditions))
    .orderBy(asc(tasks.dueDate), asc(tasks.id))
    .limit(limit);
}

async function toViews(scope: OrgScope, pageRows: TaskRow[], today: LocalDate): Promise<TaskView[]> {
  const invoiceIds = [...new Set(pageRows.flatMap((r) => r.task.invoiceIds))];
  const invRows = invoiceIds.length
    ? await scope.db
        .select({
          id: invoices.id,
          number: invoices.number,
          dueDate: invoices.dueDate,
          balance: invoices.balance,
          currency: invoices.currency,
          status: invoices.status,
        })
        .from(invoices)
        .where(scope.where(invoices, inArray(invoices.id, invoiceIds)))
    : [];
  const invById = new Map(invRows.map((i) => [i.id, i]));
  const phones = await phonesOf(scope.db, scope.organizationId, [
    ...new Set(pageRows.map((r) => r.task.customerId)),
  ]);

  return pageRows.map(({ task, customerName, assigneeEmail, assigneeName }): TaskView => {
    const invs = task.invoiceIds.map((id) => invById.get(id)).filter((i) => i !== undefined);
    const totals = new Map<string, bigint>();
    for (const i of invs) {
      if (i.status !== 'open') continue;
      totals.set(i.currency, (totals.get(i.currency) ?? 0n) + parseMoney(i.balance));
    }
    const options = phones.get(task.customerId) ?? [];
    return {
      id: task.id,
      customerId: task.customerId,
      customerName,
      invoiceIds: task.invoiceIds,
      invoices: invs.map((i) => ({ ...i, balance: formatMoney(parseMoney(i.balance), i.currency) })),
      balances: [...totals].map(([currency, m]) => ({ currency, amount: formatMoney(m, currency) })),
      kind: task.kind,
      title: task.title,
      talkingPoints: task.talkingPoints,
      sequenceKey: task.sequenceKey,
      stepKey: task.stepKey,
      assigneeUserId: task.assigneeUserId,
      assignee:
        task.assigneeUserId && assigneeEmail
          ? { id: task.assigneeUserId, email: assigneeEmail, name: assigneeName }
          : null,
      dueDate: task.dueDate,
      due: sectionOf(task.dueDate, today),
      status: task.status,
      outcome: task.outcome,
      outcomeNote: task.outcomeNote,
      phone: options.find((p) => p.usable)?.phone ?? null,
      phones: options,
      createdAt: task.createdAt.toISOString(),
      completedAt: task.completedAt ? task.completedAt.toISOString() : null,
    };
  });
}

/** The clerks a task can be assigned to (clerk and above), for the assign menu. */
export async function assignableMembers(
  scope: OrgScope,
): Promise<{ id: string; email: string; name: string | null }[]> {
  return scope.db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, scope.organizationId), sql`${memberships.role} <> 'viewer'`))
    .orderBy(asc(users.email));
}
