/**
 * E-mails left `sending`: the process stopped (or the transport gave no answer) between claiming
 * the row and recording the server's answer. Whether the server took the mail is unknown, so:
 *
 * - Policy: after STALE_SENDING_MS the row is resolved, never left stuck. With the local outbox
 *   nothing ever left the machine, so the row simply goes back to `queued` and is sent again. With
 *   SMTP a blind re-send could reach the customer twice (most crashes happen after the server has
 *   accepted the DATA, since that is where the time goes), so the row is marked `failed` with the
 *   reason "delivery not confirmed" for a clerk to review: the outbox shows it and offers "Send
 *   again", which re-sends with the same Message-ID (receivers that dedupe by Message-ID drop it).
 *
 * A clerk's resend (resendEmail) works for any failed row; a bounced address is not retried.
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { emails, messages } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { audit, type Actor } from '../audit';
import { SEND_EMAIL_JOB } from '../email';
import { ConflictError, NotFoundError } from '../errors';

const log = getLogger('delivery');

/** A send normally takes seconds; a claim this old has no worker behind it any more. */
export const STALE_SENDING_MS = 15 * 60_000;

export const UNCONFIRMED_REASON =
  'delivery not confirmed: sending stopped before the mail server answered; not sent again ' +
  'automatically so the customer never gets it twice — check and use "Send again" if needed';

/**
 * Resolve the firm's stale `sending` rows (see the policy above); `null`: the e-mails of no firm
 * (e.g. invitations). Returns how many.
 */
export async function resolveStaleSending(
  app: Pick<AppContext, 'db' | 'queue' | 'mail' | 'now'>,
  organizationId: string | null,
): Promise<number> {
  const cutoff = new Date(app.now().getTime() - STALE_SENDING_MS);
  const stale = await app.db
    .select({ id: emails.id, attempts: emails.attempts })
    .from(emails)
    .where(
      and(
        organizationId ? eq(emails.organizationId, organizationId) : isNull(emails.organizationId),
        eq(emails.status, 'sending'),
        or(isNull(emails.sentAt), lt(emails.sentAt, cutoff)),
      ),
    )
    .limit(500);
  const scope = organizationId ? new OrgScope(app.db, organizationId) : null;
  for (const row of stale) {
    if (app.mail.kind === 'outbox') {
      const [back] = await app.db
        .update(emails)
        .set({ status: 'queued', sentAt: null })
        .where(and(eq(emails.id, row.id), eq(emails.status, 'sending')))
        .returning({ id: emails.id });
      if (back) await enqueueSend(app, row.id, `stale${row.attempts}`);
      continue;
    }
    const [failed] = await app.db
      .update(emails)
      .set({ status: 'failed', sentAt: null, error: UNCONFIRMED_REASON })
      .where(and(eq(emails.id, row.id), eq(emails.status, 'sending')))
      .returning({ id: emails.id });
    if (failed) {
      await scope?.update(
        messages,
        { status: 'failed', error: UNCONFIRMED_REASON },
        eq(messages.emailId, row.id),
      );
      log.warn({ emailId: row.id }, 'e-mail left sending: marked unconfirmed for review');
    }
  }
  return stale.length;
}

/**
 * Every few minutes, for every e-mail of every firm (and of none): stale `sending` rows are
 * resolved, and `queued` rows whose send job was lost (a crash between commit and enqueue, a
 * flushed Redis) are enqueued again under their usual job id, so a job that still exists (e.g.
 * waiting for a retry) is not doubled.
 */
export async function sweepEmails(
  app: Pick<AppContext, 'db' | 'queue' | 'mail' | 'now'>,
): Promise<{ stale: number; requeued: number }> {
  const cutoff = new Date(app.now().getTime() - STALE_SENDING_MS);
  const owners = await app.db
    .selectDistinct({ organizationId: emails.organizationId })
    .from(emails)
    .where(and(eq(emails.status, 'sending'), or(isNull(emails.sentAt), lt(emails.sentAt, cutoff))));
  let stale = 0;
  for (const o of owners) stale += await resolveStaleSending(app, o.organizationId);
  const stranded = await app.db
    .select({ id: emails.id })
    .from(emails)
    .where(and(eq(emails.status, 'queued'), lt(emails.createdAt, new Date(app.now().getTime() - 5 * 60_000))))
    .limit(1000);
  for (const r of stranded)
    await app.queue.enqueue(SEND_EMAIL_JOB, { emailId: r.id }, { jobId: `email-${r.id}` });
  return { stale, requeued: stranded.length };
}

/** A clerk sends a failed e-mail again (same Message-ID). A bounced address is not retried. */
export async function resendEmail(
  app: Pick<AppContext, 'db' | 'queue'>,
  scope: OrgScope,
  emailId: string,
  actor: Actor,
): Promise<void> {
  const [row] = await app.db
    .select({ id: emails.id, status: emails.status, attempts: emails.attempts })
    .from(emails)
    .where(and(eq(emails.id, emailId), eq(emails.organizationId, scope.organizationId)));
  if (!row) throw new NotFoundError('e-mail');
  if (row.status === 'bounced')
    throw new ConflictError('this address bounced: correct the contact’s e-mail address first');
  if (row.status !== 'failed') throw new ConflictError(`this e-mail is ${row.status}, not failed`);
  const [back] = await app.db
    .update(emails)
    .set({ status: 'queued', error: null, sentAt: null })
    .where(and(eq(emails.id, emailId), eq(emails.status, 'failed')))
    .returning({ id: emails.id });
  if (!back) throw new ConflictError('this e-mail changed meanwhile; reload the page');
  await scope.update(messages, { status: 'queued', error: null }, eq(messages.emailId, emailId));
  await audit(scope, actor, 'email.resent', { type: 'email', id: emailId });
  await enqueueSend(app, emailId, `resend${row.attempts}`);
}

/** A fresh job id: the first job's id stays taken (dedup) for a day after it finished. */
function enqueueSend(app: Pick<AppContext, 'queue'>, emailId: string, suffix: string) {
  return app.queue.enqueue(SEND_EMAIL_JOB, { emailId }, { jobId: `email-${emailId}-${suffix}` });
}
