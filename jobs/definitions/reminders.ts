import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import { organizations } from '../../src/db/schema';
import { PermanentJobError, type JobDefinition } from '../../src/queue/types';
import { ValidationError } from '../../src/services/errors';
import { requeueStrandedEmails, runForFirm } from '../../src/services/reminders/run';

export const REMINDERS_RUN_JOB = 'reminders.run';
const SLOT_MS = 15 * 60_000;

/**
 * Run one firm's reminders for now: the actions whose send time has come are carried out once
 * (claimed by idempotency key, so a retried or duplicated job sends nothing twice).
 */
export const remindersRunJob: JobDefinition<{ organizationId: string }, AppContext> = {
  name: REMINDERS_RUN_JOB,
  payload: z.object({ organizationId: z.string().uuid() }).strict(),
  attempts: 3,
  backoffMs: 60_000,
  concurrency: 2,
  async handler({ organizationId }, { app, logger }) {
    const now = app.now();
    try {
      const doc = await runForFirm(app, organizationId, now, { dueBy: now });
      const requeued = await requeueStrandedEmails(app, organizationId);
      if (doc.results.length > 0 || requeued > 0) {
        const counts: Record<string, number> = {};
        for (const r of doc.results) counts[r.status] = (counts[r.status] ?? 0) + 1;
        logger.info({ organizationId, ...counts, requeued }, 'reminders run');
      }
    } catch (e) {
      // invalid firm settings do not mend themselves with retries
      if (e instanceof ValidationError) throw new PermanentJobError(e.message);
      throw e;
    }
  },
};

/** Every 15 minutes: one reminders run per firm whose automation is live, one job per firm and slot. */
export const remindersSweepJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'reminders.sweep',
  payload: z.object({}).strict(),
  attempts: 2,
  backoffMs: 30_000,
  concurrency: 1,
  schedule: { cron: '*/15 * * * *', payload: {} },
  async handler(_p, { app }) {
    const slot = Math.floor(app.now().getTime() / SLOT_MS);
    const firms = await app.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.automation, 'live'));
    for (const f of firms) {
      await app.queue.enqueue(
        REMINDERS_RUN_JOB,
        { organizationId: f.id },
        { jobId: `reminders-${f.id}-${slot}` },
      );
    }
  },
};
