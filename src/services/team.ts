/**
 * A firm's team: its members and their roles. An admin changes a member's role (admin, clerk or
 * viewer) or removes a member; an owner is changed or removed only by another owner, and nobody
 * changes or removes themselves (a firm is never left without its owner, an admin never locks
 * themselves out). A removed member's open tasks in the firm go back to unassigned; access ends at
 * their next request (the role is re-read on every request). Both are audited.
 */
import { and, eq } from 'drizzle-orm';
import { memberships, tasks, users, type Role } from '../db/schema';
import { isUuid, type OrgScope } from '../db/scope';
import type { Actor } from './audit';
import { audit } from './audit';
import { ForbiddenError, NotFoundError, ValidationError } from './errors';

export const ASSIGNABLE_ROLES = ['admin', 'clerk', 'viewer'] as const satisfies readonly Role[];

export interface TeamMember {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  lastLoginAt: Date | null;
}

export async function listMembers(scope: OrgScope): Promise<TeamMember[]> {
  return scope.db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      lastLoginAt: users.lastLoginAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(scope.where(memberships))
    .orderBy(users.email);
}

/** Who acts: their user id and role in this firm. */
export interface TeamActor {
  userId: string;
  role: Role;
}

async function memberFor(scope: OrgScope, by: TeamActor, userId: string): Promise<TeamMember> {
  if (!isUuid(userId)) throw new NotFoundError('team member');
  const [m] = (await listMembers(scope)).filter((x) => x.id === userId);
  if (!m) throw new NotFoundError('team member');
  if (m.id === by.userId)
    throw new ValidationError('you cannot change your own membership; ask another admin', 'member');
  if (m.role === 'owner' && by.role !== 'owner')
    throw new ForbiddenError('only an owner can change or remove an owner');
  return m;
}

export async function changeMemberRole(
  scope: OrgScope,
  by: TeamActor,
  userId: string,
  role: string,
  actor: Actor,
): Promise<{ member: TeamMember; changed: boolean }> {
  const member = await memberFor(scope, by, userId);
  if (!(ASSIGNABLE_ROLES as readonly string[]).includes(role))
    throw new ValidationError('the role must be admin, clerk or viewer', 'role');
  if (member.role === role) return { member, changed: false };
  await scope.update(memberships, { role: role as Role }, eq(memberships.userId, member.id));
  await audit(
    scope,
    actor,
    'member.role_changed',
    { type: 'user', id: member.id },
    {
      email: member.email,
      from: member.role,
      to: role,
    },
  );
  return { member: { ...member, role: role as Role }, changed: true };
}

export async function removeMember(
  scope: OrgScope,
  by: TeamActor,
  userId: string,
  actor: Actor,
): Promise<{ member: TeamMember; unassignedTasks: number }> {
  const member = await memberFor(scope, by, userId);
  const unassigned = await scope.transaction(async (tx) => {
    await tx.delete(memberships, eq(memberships.userId, member.id));
    return tx
      .update(
        tasks,
        { assigneeUserId: null },
        and(eq(tasks.assigneeUserId, member.id), eq(tasks.status, 'open')),
      )
      .returning({ id: tasks.id });
  });
  await audit(
    scope,
    actor,
    'member.removed',
    { type: 'user', id: member.id },
    {
      email: member.email,
      role: member.role,
      unassignedTasks: unassigned.length,
    },
  );
  return { member, unassignedTasks: unassigned.length };
}
