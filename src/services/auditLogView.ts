/**
 * The firm's audit log as Settings → Audit log shows it: newest first, who acted (the member's
 * e-mail when a user did), optionally one kind of action, a page at a time with a keyset cursor
 * (the last entry's time and id) so new entries never shift a page.
 */
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { auditLog, users } from '../db/schema';
import { isUuid, type OrgScope } from '../db/scope';
import { ValidationError } from './errors';

export const AUDIT_PAGE = 100;

export interface AuditEntryView {
  id: string;
  createdAt: Date;
  actorType: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass back as `before` for the next (older) page; null on the last page. */
  next: string | null;
}

const encode = (e: { createdAt: Date; id: string }) =>
  Buffer.from(`${e.createdAt.toISOString()}|${e.id}`, 'utf8').toString('base64url');

function decode(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || !isUuid(id) || Number.isNaN(date.getTime()))
    throw new ValidationError('this link to older entries is not valid', 'before');
  return { at: date, id };
}

export async function listAuditEntries(
  scope: OrgScope,
  opts: { action?: string; before?: string; limit?: number } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(opts.limit ?? AUDIT_PAGE, 1), 500);
  const cursor = opts.before ? decode(opts.before) : null;
  const rows = await scope.db
    .select({
      id: auditLog.id,
      createdAt: auditLog.createdAt,
      actorType: auditLog.actorType,
      actorId: auditLog.actorId,
      actorEmail: users.email,
      action: auditLog.action,
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      data: auditLog.data,
    })
    .from(auditLog)
    .leftJoin(users, and(eq(auditLog.actorType, 'user'), eq(sql`${users.id}::text`, auditLog.actorId)))
    .where(
      scope.where(
        auditLog,
        opts.action ? eq(auditLog.action, opts.action) : undefined,
        cursor
          ? or(
              lt(auditLog.createdAt, cursor.at),
              and(eq(auditLog.createdAt, cursor.at), lt(auditLog.id, cursor.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit + 1);
  const entries = rows.slice(0, limit);
  return { entries, next: rows.length > limit ? encode(entries[entries.length - 1]!) : null };
}

/** The kinds of action the firm's log holds, for the filter. */
export async function auditActions(scope: OrgScope): Promise<string[]> {
  const rows = await scope.db
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .where(scope.where(auditLog))
    .orderBy(auditLog.action);
  return rows.map((r) => r.action);
}
