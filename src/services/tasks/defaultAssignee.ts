/**
 * Who works a task a sequence creates: the person on the customer's latest assigned task, so a
 * customer keeps one person at the firm; unassigned (the team's queue) when nobody has yet, or when
 * that person is no longer a member who can work tasks.
 */
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { memberships, tasks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';

const CAN_WORK_TASKS = ['clerk', 'admin', 'owner'] as const;

export async function defaultAssignee(scope: OrgScope, customerId: string): Promise<string | null> {
  const [row] = await scope.db
    .select({ userId: tasks.assigneeUserId })
    .from(tasks)
    .innerJoin(
      memberships,
      and(
        eq(memberships.organizationId, tasks.organizationId),
        eq(memberships.userId, tasks.assigneeUserId),
        inArray(memberships.role, [...CAN_WORK_TASKS]),
      ),
    )
    .where(scope.where(tasks, eq(tasks.customerId, customerId), isNotNull(tasks.assigneeUserId)))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(1);
  return row?.userId ?? null;
}
