/** Who works a task, and taking a completed one back up. */
import { and, eq, ne } from 'drizzle-orm';
import { memberships, tasks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { ROLE_RANK } from '../users';
import { audit, type Actor } from '../audit';
import { ConflictError, NotFoundError, ValidationError } from '../errors';

type Task = typeof tasks.$inferSelect;

/** Assign to a member who can work tasks (clerk or above), or unassign with null. */
export async function assignTask(
  scope: OrgScope,
  taskId: string,
  assigneeUserId: string | null,
  actor: Actor,
): Promise<Task> {
  return scope.transaction(async (tx) => {
    const task = await tx.findById(tasks, taskId);
    if (!task) throw new NotFoundError('task');
    if (assigneeUserId !== null) {
      const [member] = await tx.select(memberships, eq(memberships.userId, assigneeUserId));
      if (!member || ROLE_RANK[member.role] < ROLE_RANK.clerk)
        throw new ValidationError('is not a member of this firm who can work tasks', 'assigneeUserId');
    }
    const [saved] = await tx.update(tasks, { assigneeUserId }, eq(tasks.id, taskId)).returning();
    if (task.assigneeUserId !== assigneeUserId)
      await audit(
        tx,
        actor,
        'task.assigned',
        { type: 'task', id: taskId },
        {
          from: task.assigneeUserId,
          to: assigneeUserId,
        },
      );
    return saved!;
  });
}

/**
 * Open a done or cancelled task again (a wrong click, a call to make again). Its outcome is
 * cleared; what the completion created (a promise, a dispute, a follow-up task, the write-back
 * note) stays, each being a record of its own with its own way to be undone.
 */
export async function reopenTask(scope: OrgScope, taskId: string, actor: Actor): Promise<Task> {
  return scope.transaction(async (tx) => {
    const task = await tx.findById(tasks, taskId);
    if (!task) throw new NotFoundError('task');
    const [saved] = await tx
      .update(
        tasks,
        { status: 'open', outcome: null, outcomeNote: null, completedByUserId: null, completedAt: null },
        and(eq(tasks.id, taskId), ne(tasks.status, 'open')),
      )
      .returning();
    if (!saved) throw new ConflictError('this task is already open');
    await audit(tx, actor, 'task.reopened', { type: 'task', id: taskId }, { outcome: task.outcome });
    return saved;
  });
}
