import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import { OrgScope } from '../../src/db/scope';
import type { JobDefinition } from '../../src/queue/types';
import {
  enqueuePromiseEvaluation,
  evaluatePromises,
  firmsWithActivePromises,
  PROMISES_EVALUATE_JOB,
} from '../../src/services/promises';

/**
 * Settle one firm's active promises (kept, partly kept, broken + follow-up). Enqueued after each
 * sync and by the schedule; safe to run twice (each settlement is claimed once).
 */
export const promisesEvaluateJob: JobDefinition<{ organizationId: string }, AppContext> = {
  name: PROMISES_EVALUATE_JOB,
  payload: z.object({ organizationId: z.string().uuid() }).strict(),
  attempts: 3,
  backoffMs: 60_000,
  concurrency: 1,
  async handler({ organizationId }, { app, logger }) {
    const s = await evaluatePromises(app, new OrgScope(app.db, organizationId));
    if (s.kept + s.partiallyKept + s.broken + s.cancelled > 0)
      logger.info({ organizationId, ...s }, 'promises settled');
  },
};

/**
 * Every hour: one evaluation per firm with active promises (one job per firm and hour), so a
 * promise breaks within the hour after its grace period ends in the firm's own time zone. At least
 * daily whatever the syncs do.
 */
export const promisesSweepJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'promises.sweep',
  payload: z.object({}).strict(),
  attempts: 2,
  backoffMs: 30_000,
  concurrency: 1,
  schedule: { cron: '7 * * * *', payload: {} },
  async handler(_p, { app }) {
    const hour = app.now().toISOString().slice(0, 13);
    for (const id of await firmsWithActivePromises(app)) await enqueuePromiseEvaluation(app, id, hour);
  },
};
