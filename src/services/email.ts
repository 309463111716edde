import crypto from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../app/context';
import type { Db } from '../db/client';
import { emails, messages } from '../db/schema';
import { OrgScope } from '../db/scope';
import { getLogger } from '../logging/logger';
import type { SendResult } from '../mail/transport';
import { recordHardBounce } from './delivery/bounce';

const log = getLogger('email');

export interface QueueEmailInput {
  organizationId: string | null;
  kind: string;
  /** Unique per logical message: queuing it twice keeps one row, sending never happens twice. */
  idempotencyKey: string;
  to: string;
  from?: string;
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
  headers?: Record<string, string>;
}

export const SEND_EMAIL_JOB = 'email.send';

/** Record the e-mail (once per idempotency key) and enqueue its delivery. */
export async function queueEmail(
  app: Pick<AppContext, 'db' | 'queue' | 'config'>,
  input: QueueEmailInput,
): Promise<{ id: string; created: boolean }> {
  const inserted = await app.db
    .insert(emails)
    .values({
      organizationId: input.organizationId,
      kind: input.kind,
      idempotencyKey: input.idempotencyKey,
      fromAddress: input.from ?? app.config.MAIL_FROM,
      toAddress: input.to,
      replyTo: input.replyTo ?? null,
      subject: input.subject,
      text: input.text,
      html: input.html ?? null,
      headers: input.headers ?? {},
    })
    .onConflictDoNothing({ target: emails.idempotencyKey })
    .returning({ id: emails.id });
  let id = inserted[0]?.id;
  if (!id) {
    const [existing] = await app.db
      .select({ id: emails.id })
      .from(emails)
      .where(eq(emails.idempotencyKey, input.idempotencyKey));
    id = existing!.id;
  }
  await app.queue.enqueue(SEND_EMAIL_JOB, { emailId: id }, { jobId: `email-${id}` });
  return { id, created: Boolean(inserted[0]) };
}

export type DeliverOutcome = 'sent' | 'already_sent' | 'retry' | 'failed' | 'bounced' | 'in_doubt';

/** The Message-ID of an e-mail row: every (re)send of the same row carries the same one. */
export function emailMessageId(idempotencyKey: string): string {
  return `<${crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@duely>`;
}

export interface DeliverOptions {
  /** The job's last attempt: a temporary failure now fails the e-mail instead of retrying. */
  finalAttempt?: boolean;
  attempts?: number;
}

/**
 * Deliver one e-mail row: claim it with a conditional update (two workers never both send), send
 * with a Message-ID derived from the row, record the result on the e-mail and on the reminder
 * messages that point at it.
 *
 * While a row is `sending`, `sent_at` holds the time of the claim (the stale-send sweep reads it).
 * When the transport throws instead of answering, the outcome is unknown (the server may have
 * taken the mail): the row stays `sending` and is never re-sent blindly (see delivery/stale.ts).
 */
export async function deliverEmail(
  app: Pick<AppContext, 'db' | 'mail' | 'now'>,
  emailId: string,
  opts: DeliverOptions = {},
): Promise<DeliverOutcome> {
  const db = app.db;
  const claimed = await db
    .update(emails)
    .set({ status: 'sending', attempts: sql`${emails.attempts} + 1`, sentAt: app.now() })
    .where(and(eq(emails.id, emailId), inArray(emails.status, ['queued'])))
    .returning();
  const row = claimed[0];
  if (!row) {
    const [cur] = await db.select({ status: emails.status }).from(emails).where(eq(emails.id, emailId));
    if (cur?.status === 'failed' || cur?.status === 'bounced') return cur.status;
    return cur?.status === 'sending' ? 'in_doubt' : 'already_sent';
  }
  let result: SendResult;
  try {
    result = await app.mail.send({
      from: row.fromAddress,
      to: row.toAddress,
      replyTo: row.replyTo,
      subject: row.subject,
      text: row.text,
      html: row.html,
      headers: row.headers,
      messageId: emailMessageId(row.idempotencyKey),
    });
  } catch (e) {
    log.error({ emailId, err: e }, 'e-mail send ended without an answer; left for the stale-send sweep');
    return 'in_doubt';
  }
  const transport = app.mail.kind;
  if (result.ok) {
    const at = app.now();
    await db
      .update(emails)
      .set({
        status: 'sent',
        sentAt: at,
        transport,
        providerMessageId: result.providerMessageId,
        error: null,
      })
      .where(eq(emails.id, emailId));
    await updateMessages(db, row.organizationId, emailId, { status: 'sent', sentAt: at, error: null });
    return 'sent';
  }
  if (result.kind === 'bounce') {
    await db.update(emails).set({ transport }).where(eq(emails.id, emailId));
    await recordHardBounce(app, { emailId, reason: result.reason, source: 'smtp' });
    return 'bounced';
  }
  if (result.kind === 'temporary' && !opts.finalAttempt) {
    await db
      .update(emails)
      .set({ status: 'queued', sentAt: null, error: result.reason, transport })
      .where(eq(emails.id, emailId));
    return 'retry';
  }
  const reason =
    result.kind === 'temporary'
      ? `gave up after ${opts.attempts ?? row.attempts} attempts: ${result.reason}`
      : result.reason;
  await db
    .update(emails)
    .set({ status: 'failed', sentAt: null, error: reason, transport })
    .where(eq(emails.id, emailId));
  await updateMessages(db, row.organizationId, emailId, { status: 'failed', error: reason });
  return 'failed';
}

/** The reminder messages carried by an e-mail follow its delivery status. */
async function updateMessages(
  db: Db,
  organizationId: string | null,
  emailId: string,
  set: { status: 'sent' | 'failed'; sentAt?: Date; error: string | null },
): Promise<void> {
  if (!organizationId) return;
  await new OrgScope(db, organizationId).update(messages, set, eq(messages.emailId, emailId));
}
