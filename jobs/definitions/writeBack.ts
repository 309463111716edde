import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import { DelayJobError, type JobDefinition } from '../../src/queue/types';
import { runWriteBack, sweepWriteBacks, WRITE_BACK_JOB } from '../../src/services/writeBack/queue';

/** Write one note or payment back to the books. Retries are driven by the row (backoff, hold). */
export const writeBackJob: JobDefinition<{ writeBackId: string }, AppContext> = {
  name: WRITE_BACK_JOB,
  payload: z.object({ writeBackId: z.string().uuid() }),
  attempts: 1,
  backoffMs: 30_000,
  concurrency: 3,
  async handler({ writeBackId }, { app, logger }) {
    const r = await runWriteBack(app, writeBackId);
    logger.info({ writeBackId, outcome: r.outcome }, 'write-back');
    if (r.outcome === 'retry') throw new DelayJobError(r.retryInMs ?? 30_000, 'write-back will be retried');
  },
};

/** Every 5 minutes: re-enqueue due write-backs that lost their job. */
export const writeBackSweepJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'writeback.sweep',
  payload: z.object({}).strict(),
  attempts: 1,
  backoffMs: 10_000,
  concurrency: 1,
  schedule: { cron: '*/5 * * * *', payload: {} },
  async handler(_p, { app, logger }) {
    const n = await sweepWriteBacks(app);
    if (n) logger.info({ enqueued: n }, 'write-backs re-enqueued');
  },
};
