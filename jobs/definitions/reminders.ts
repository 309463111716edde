import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import { PermanentJobError, type JobDefinition } from '../../src/queue/types';
import { ValidationError } from '../../src/services/errors';
import { dueCustomers, findDue, firmsWithStrandedEmails } from '../../src/services/reminders/due';
import { requeueStrandedEmails, runForFirm } from '../../src/services/reminders/run';

export const REMINDERS_RUN_JOB = 'reminders.run';
const SLOT_MS = 15 * 60_000;
/** Due customers travel in the job (ids only) up to this many; beyond, the job finds them itself. */
const MAX_CUSTOMERS_IN_PAYLOAD = 1000;

interface RunPayload {
  organizationId: string;
  customerIds?: string[];
}

/**
 * Run one firm's reminders for now: the due customers are planned and the actions whose send time
 * has come are carried out once (claimed by idempotency key, so a retried or duplicated job sends
 * nothing twice).
 */
export const remindersRunJob: JobDefinition<RunPayload, AppContext> = {
  name: REMINDERS_RUN_JOB,
  payload: z
    .object({
      organizationId: z.string().uuid(),
      customerIds: z.array(z.string().uuid()).max(MAX_CUSTOMERS_IN_PAYLOAD).optional(),
    })
    .strict(),
  attempts: 3,
  backoffMs: 60_000,
  concurrency: 2,
  async handler({ organizationId, customerIds }, { app, logger }) {
    const now = app.now();
    try {
      const due = customerIds ?? (await dueCustomers(app.db, organizationId, now));
      const doc =
        due.length > 0 ? await runForFirm(app, organizationId, now, { dueBy: now, customerIds: due }) : null;
      const requeued = await requeueStrandedEmails(app, organizationId);
      if ((doc && doc.results.length > 0) || requeued > 0) {
        const counts: Record<string, number> = {};
        for (const r of doc?.results ?? []) counts[r.status] = (counts[r.status] ?? 0) + 1;
        logger.info({ organizationId, ...counts, requeued }, 'reminders run');
      }
    } catch (e) {
      // invalid firm settings do not mend themselves with retries
      if (e instanceof ValidationError) throw new PermanentJobError(e.message);
      throw e;
    }
  },
};

/**
 * Every 15 minutes: one reminders run per live firm with something due (found through the
 * next-action index, see services/reminders/due.ts) or with reminder e-mails to re-enqueue; one
 * job per firm and slot.
 */
export const remindersSweepJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'reminders.sweep',
  payload: z.object({}).strict(),
  attempts: 2,
  backoffMs: 30_000,
  concurrency: 1,
  schedule: { cron: '*/15 * * * *', payload: {} },
  async handler(_p, { app }) {
    const now = app.now();
    const slot = Math.floor(now.getTime() / SLOT_MS);
    const runs = new Map<string, RunPayload>();
    for (const f of await findDue(app.db, now)) {
      runs.set(f.organizationId, {
        organizationId: f.organizationId,
        ...(f.customerIds.length <= MAX_CUSTOMERS_IN_PAYLOAD ? { customerIds: f.customerIds } : {}),
      });
    }
    for (const id of await firmsWithStrandedEmails(app.db, now)) {
      if (!runs.has(id)) runs.set(id, { organizationId: id, customerIds: [] });
    }
    for (const payload of runs.values()) {
      await app.queue.enqueue(REMINDERS_RUN_JOB, payload, {
        jobId: `reminders-${payload.organizationId}-${slot}`,
      });
    }
  },
};
