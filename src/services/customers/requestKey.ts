/**
 * A form submitted twice (double click, browser retry) must act once. Each action form carries a
 * random request key; the action runs under a transaction-scoped advisory lock on that key and
 * looks for the activity it left the first time (`activities.data.requestKey`).
 */
import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { activities, auditLog } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';

export const newRequestKey = (): string => crypto.randomUUID();

/** The key a form sent, or a fresh one (no deduplication) when it sent none or garbage. */
export const requestKeyOf = (value: string | undefined | null): string =>
  value && isUuid(value) ? value.toLowerCase() : newRequestKey();

/** Serialise concurrent submissions of the same form (inside a transaction). */
export async function lockRequest(tx: OrgScope, key: string): Promise<void> {
  await tx.db.execute(sql`select pg_advisory_xact_lock(hashtext(${`${tx.organizationId}:${key}`}))`);
}

/** The activity an earlier submission of this form recorded, if any. */
export async function priorActivity(
  tx: OrgScope,
  customerId: string,
  kind: string,
  key: string,
): Promise<typeof activities.$inferSelect | undefined> {
  const [row] = await tx.db
    .select()
    .from(activities)
    .where(
      tx.where(
        activities,
        and(
          eq(activities.customerId, customerId),
          eq(activities.kind, kind),
          sql`${activities.data}->>'requestKey' = ${key}`,
        ),
      ),
    )
    .limit(1);
  return row;
}

/**
 * For forms whose record is not an activity (promises, disputes, replies): the audit entry
 * `form.submitted` a first submission left, within two days, with the record it created.
 */
export async function priorSubmission(
  tx: OrgScope,
  key: string,
): Promise<{ subjectId: string | null } | undefined> {
  const [row] = await tx.db
    .select({ subjectId: auditLog.subjectId })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.organizationId, tx.organizationId),
        eq(auditLog.action, 'form.submitted'),
        sql`${auditLog.createdAt} > now() - interval '2 days'`,
        sql`${auditLog.data}->>'requestKey' = ${key}`,
      ),
    )
    .limit(1);
  return row;
}

export async function recordSubmission(
  tx: OrgScope,
  actor: Actor,
  key: string,
  form: string,
  subject: { type: string; id: string },
): Promise<void> {
  await audit(tx, actor, 'form.submitted', subject, { requestKey: key, form });
}
