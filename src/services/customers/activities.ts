/**
 * The customer timeline's own events (`activities`): notes, calls, portal visits and links,
 * pauses, sequence and tag changes, data requests. Other entries (invoices, payments, messages,
 * tasks, promises, disputes) are read from their own tables by the timeline query.
 */
import { activities } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import type { Actor } from '../audit';

export type ActivityActor = 'user' | 'customer' | 'system';

export interface NewActivity {
  customerId: string;
  kind: string;
  actor: Actor;
  invoiceIds?: string[];
  /** Free text shown on the timeline (a note, a call's note); never a secret. */
  body?: string | null;
  data?: Record<string, unknown>;
}

const actorTypeOf = (a: Actor): ActivityActor =>
  a.type === 'user' ? 'user' : a.type === 'customer' ? 'customer' : 'system';

export async function recordActivity(scope: OrgScope, a: NewActivity): Promise<string> {
  const [row] = await scope
    .insert(activities, {
      customerId: a.customerId,
      kind: a.kind,
      actorType: actorTypeOf(a.actor),
      actorUserId: a.actor.type === 'user' ? a.actor.id : null,
      invoiceIds: a.invoiceIds ?? [],
      body: a.body ?? null,
      data: a.data ?? {},
    })
    .returning({ id: activities.id });
  return row!.id;
}
