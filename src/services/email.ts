import crypto from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../app/context';
import type { Db } from '../db/client';
import { emails } from '../db/schema';
import type { MailTransport } from '../mail/transport';

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

export type DeliverOutcome = 'sent' | 'already_sent' | 'retry' | 'failed';

/**
 * Deliver one e-mail row: claim it with a conditional update (two workers never both send),
 * send with a Message-ID derived from the row, record the result.
 */
export async function deliverEmail(
  db: Db,
  transport: MailTransport,
  emailId: string,
): Promise<DeliverOutcome> {
  const claimed = await db
    .update(emails)
    .set({ status: 'sending', attempts: sql`${emails.attempts} + 1` })
    .where(and(eq(emails.id, emailId), inArray(emails.status, ['queued'])))
    .returning();
  const row = claimed[0];
  if (!row) {
    const [cur] = await db.select({ status: emails.status }).from(emails).where(eq(emails.id, emailId));
    return cur?.status === 'failed' ? 'failed' : 'already_sent';
  }
  const messageId = `<${crypto.createHash('sha256').update(row.idempotencyKey).digest('hex').slice(0, 32)}@duely>`;
  const result = await transport.send({
    from: row.fromAddress,
    to: row.toAddress,
    replyTo: row.replyTo,
    subject: row.subject,
    text: row.text,
    html: row.html,
    headers: row.headers,
    messageId,
  });
  if (result.ok) {
    await db
      .update(emails)
      .set({
        status: 'sent',
        sentAt: new Date(),
        transport: transport.kind,
        providerMessageId: result.providerMessageId,
        error: null,
      })
      .where(eq(emails.id, emailId));
    return 'sent';
  }
  await db
    .update(emails)
    .set({ status: result.permanent ? 'failed' : 'queued', error: result.reason, transport: transport.kind })
    .where(eq(emails.id, emailId));
  return result.permanent ? 'failed' : 'retry';
}
