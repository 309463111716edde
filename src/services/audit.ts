import { auditLog } from '../db/schema';
import type { OrgScope } from '../db/scope';

export interface Actor {
  type: 'user' | 'api_token' | 'system' | 'customer';
  id: string | null;
}

export const SYSTEM: Actor = { type: 'system', id: null };

/** Append one entry to the firm's audit log. */
export async function audit(
  scope: OrgScope,
  actor: Actor,
  action: string,
  subject: { type: string; id: string } | null = null,
  data: Record<string, unknown> = {},
): Promise<void> {
  await scope.insert(auditLog, {
    actorType: actor.type,
    actorId: actor.id,
    action,
    subjectType: subject?.type ?? null,
    subjectId: subject?.id ?? null,
    data,
  });
}
