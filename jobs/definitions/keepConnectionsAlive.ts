import { and, eq, lt, or, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import { connections } from '../../src/db/schema';
import type { JobDefinition } from '../../src/queue/types';
import { getAccessToken } from '../../src/services/connections/tokenManager';

/**
 * Daily: refresh the tokens of connections idle for a day, so a refresh token never reaches
 * the end of its window (QuickBooks 100 days, Xero 60 days) on a quiet company.
 */
export const keepConnectionsAliveJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'connections.keepalive',
  payload: z.object({}).strict(),
  attempts: 3,
  backoffMs: 10 * 60_000,
  concurrency: 1,
  schedule: { cron: '40 3 * * *', payload: {} },
  async handler(_p, { app, logger }) {
    const cutoff = new Date(app.now().getTime() - 20 * 3600_000);
    const idle = await app.db
      .select({ id: connections.id })
      .from(connections)
      .where(
        and(
          eq(connections.status, 'connected'),
          or(isNull(connections.tokenRefreshedAt), lt(connections.tokenRefreshedAt, cutoff)),
        ),
      );
    let failed = 0;
    for (const c of idle) {
      try {
        await getAccessToken(app, c.id, true);
      } catch (e) {
        failed++;
        logger.warn({ connectionId: c.id, err: (e as Error).message }, 'keep-alive refresh failed');
      }
    }
    logger.info({ refreshed: idle.length - failed, failed }, 'idle connections refreshed');
  },
};
