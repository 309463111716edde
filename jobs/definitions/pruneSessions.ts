import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import type { JobDefinition } from '../../src/queue/types';
import { PgSessionStore } from '../../src/web/middleware/sessionStore';

/** Hourly: delete expired clerk sessions. */
export const pruneSessionsJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'sessions.prune',
  payload: z.object({}).strict(),
  attempts: 1,
  backoffMs: 1000,
  concurrency: 1,
  schedule: { cron: '17 * * * *', payload: {} },
  async handler(_p, { app, logger }) {
    const removed = await new PgSessionStore(app.db, 0).prune();
    logger.info({ removed }, 'expired sessions pruned');
  },
};
