import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import type { JobDefinition } from '../../src/queue/types';
import { deliverEmail, SEND_EMAIL_JOB } from '../../src/services/email';

/** Deliver one queued e-mail row; temporary SMTP failures retry with backoff. */
export const sendEmailJob: JobDefinition<{ emailId: string }, AppContext> = {
  name: SEND_EMAIL_JOB,
  payload: z.object({ emailId: z.string().uuid() }),
  attempts: 6,
  backoffMs: 30_000,
  concurrency: 5,
  async handler({ emailId }, { app, logger }) {
    const outcome = await deliverEmail(app.db, app.mail, emailId);
    logger.info({ emailId, outcome }, 'e-mail delivery');
    if (outcome === 'retry') throw new Error('temporary SMTP failure');
  },
};
