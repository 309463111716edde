import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import type { JobDefinition } from '../../src/queue/types';
import { sweepEmails } from '../../src/services/delivery/stale';
import { deliverEmail, SEND_EMAIL_JOB } from '../../src/services/email';

const ATTEMPTS = 6;

export class TemporaryDeliveryError extends Error {
  override readonly name = 'TemporaryDeliveryError';
}

/**
 * Deliver one queued e-mail row. A temporary SMTP answer (4xx, network) throws so the queue
 * retries with backoff; on the last attempt it fails the e-mail with the reason. A 5xx fails it at
 * once (a recipient rejection is a hard bounce); none of these throws.
 */
export const sendEmailJob: JobDefinition<{ emailId: string }, AppContext> = {
  name: SEND_EMAIL_JOB,
  payload: z.object({ emailId: z.string().uuid() }),
  attempts: ATTEMPTS,
  backoffMs: 30_000,
  concurrency: 5,
  async handler({ emailId }, { app, logger, attempt }) {
    const outcome = await deliverEmail(app, emailId, {
      finalAttempt: attempt >= this.attempts,
      attempts: attempt,
    });
    logger.info({ emailId, outcome }, 'e-mail delivery');
    if (outcome === 'retry') throw new TemporaryDeliveryError('temporary SMTP failure; retrying');
  },
};

/**
 * Every 5 minutes: e-mails whose send job was lost are enqueued again, and e-mails left `sending`
 * by a crash are resolved (policy in src/services/delivery/stale.ts) — for every firm and for
 * e-mails of no firm (invitations), which no reminders run looks at.
 */
export const emailSweepJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'email.sweep',
  payload: z.object({}).strict(),
  attempts: 2,
  backoffMs: 30_000,
  concurrency: 1,
  schedule: { cron: '*/5 * * * *', payload: {} },
  async handler(_p, { app, logger }) {
    const out = await sweepEmails(app);
    if (out.stale > 0 || out.requeued > 0) logger.info(out, 'e-mail sweep');
  },
};
