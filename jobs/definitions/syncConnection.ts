import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import { DelayJobError, PermanentJobError, type JobDefinition } from '../../src/queue/types';
import { ConflictError, NotFoundError } from '../../src/services/errors';
import { refreshDashboardReports } from '../../src/services/reports/refresh';
import { runSync } from '../../src/services/sync/runSync';

export const SYNC_CONNECTION_JOB = 'sync.connection';

const payload = z.object({
  organizationId: z.string().uuid(),
  connectionId: z.string().uuid(),
  mode: z.enum(['full', 'incremental']),
  trigger: z.enum(['cli', 'api', 'schedule', 'webhook', 'ui', 'connect']),
  syncRunId: z.string().uuid().optional(),
});

/** Sync one connection. A platform rate limit postpones the job instead of failing it. */
export const syncConnectionJob: JobDefinition<z.infer<typeof payload>, AppContext> = {
  name: SYNC_CONNECTION_JOB,
  payload,
  attempts: 4,
  backoffMs: 60_000,
  concurrency: 2,
  async handler(p, { app, logger }) {
    try {
      const s = await runSync(app, p);
      logger.info(
        { connectionId: p.connectionId, status: s.status, invoices: s.invoices, apiCalls: s.apiCalls },
        'sync finished',
      );
      if (s.status === 'postponed') throw new DelayJobError(s.retryAfterMs ?? 60_000, 'platform rate limit');
      // figures refresh after each sync: the dashboard then reads pre-aggregated rows
      if (s.status === 'succeeded' || s.status === 'partial')
        await refreshDashboardReports(app, p.organizationId);
    } catch (e) {
      if (e instanceof NotFoundError || e instanceof ConflictError) throw new PermanentJobError(e.message);
      throw e;
    }
  },
};
