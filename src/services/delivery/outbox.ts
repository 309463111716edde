/**
 * The firm's outbox for clerks: every e-mail Duely recorded for the firm (reminders, invitations,
 * notices), newest first, with its delivery status — the local outbox when SMTP is not configured,
 * the delivery log when it is.
 */
import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import { customers, emails, messages, type EmailStatus } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { isUuid } from '../../db/scope';
import { NotFoundError } from '../errors';

export const OUTBOX_STATUSES: readonly EmailStatus[] = ['queued', 'sending', 'sent', 'failed', 'bounced'];

export interface OutboxEntry {
  id: string;
  kind: string;
  to: string;
  subject: string;
  status: EmailStatus;
  error: string | null;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
}

const entryColumns = {
  id: emails.id,
  kind: emails.kind,
  to: emails.toAddress,
  subject: emails.subject,
  status: emails.status,
  error: emails.error,
  attempts: emails.attempts,
  createdAt: emails.createdAt,
  sentAt: emails.sentAt,
};

/** One page, newest first; `before` is the last entry of the previous page. */
export async function listOutbox(
  scope: OrgScope,
  opts: { status?: EmailStatus; before?: { createdAt: Date; id: string }; limit?: number } = {},
): Promise<{ entries: OutboxEntry[]; more: boolean }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const conditions: (SQL | undefined)[] = [eq(emails.organizationId, scope.organizationId)];
  if (opts.status) conditions.push(eq(emails.status, opts.status));
  if (opts.before)
    conditions.push(
      or(
        lt(emails.createdAt, opts.before.createdAt),
        and(eq(emails.createdAt, opts.before.createdAt), lt(emails.id, opts.before.id)),
      ),
    );
  const rows = await scope.db
    .select(entryColumns)
    .from(emails)
    .where(and(...conditions))
    .orderBy(desc(emails.createdAt), desc(emails.id))
    .limit(limit + 1);
  return { entries: rows.slice(0, limit), more: rows.length > limit };
}

export interface OutboxEmail extends OutboxEntry {
  from: string;
  replyTo: string | null;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  transport: string | null;
  /** The reminder this e-mail carried, when it is one. */
  message: {
    id: string;
    customerId: string;
    customerName: string;
    stepKey: string;
    sequenceKey: string;
  } | null;
}

export async function getOutboxEmail(scope: OrgScope, id: string): Promise<OutboxEmail> {
  if (!isUuid(id)) throw new NotFoundError('e-mail');
  const [row] = await scope.db
    .select({
      ...entryColumns,
      from: emails.fromAddress,
      replyTo: emails.replyTo,
      text: emails.text,
      html: emails.html,
      headers: emails.headers,
      transport: emails.transport,
    })
    .from(emails)
    .where(and(eq(emails.organizationId, scope.organizationId), eq(emails.id, id)));
  if (!row) throw new NotFoundError('e-mail');
  const [message] = await scope.db
    .select({
      id: messages.id,
      customerId: messages.customerId,
      customerName: customers.name,
      stepKey: messages.stepKey,
      sequenceKey: messages.sequenceKey,
    })
    .from(messages)
    .innerJoin(customers, eq(customers.id, messages.customerId))
    .where(scope.where(messages, eq(messages.emailId, id)))
    .limit(1);
  return { ...row, message: message ?? null };
}
