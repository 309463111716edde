import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import { connections } from '../../src/db/schema';
import type { JobDefinition } from '../../src/queue/types';
import { SYNC_CONNECTION_JOB } from './syncConnection';

/**
 * Every 30 minutes: an incremental sync of every connected company (the catch-up for anything
 * a webhook missed). Job ids are per connection and slot, so a backlog never doubles up.
 */
export const syncSweepJob: JobDefinition<Record<string, never>, AppContext> = {
  name: 'sync.sweep',
  payload: z.object({}).strict(),
  attempts: 2,
  backoffMs: 30_000,
  concurrency: 1,
  schedule: { cron: '*/30 * * * *', payload: {} },
  async handler(_p, { app }) {
    const slot = Math.floor(app.now().getTime() / (30 * 60_000));
    const list = await app.db
      .select({ id: connections.id, organizationId: connections.organizationId })
      .from(connections)
      .where(eq(connections.status, 'connected'));
    for (const c of list) {
      await app.queue.enqueue(
        SYNC_CONNECTION_JOB,
        { organizationId: c.organizationId, connectionId: c.id, mode: 'incremental', trigger: 'schedule' },
        { jobId: `sync-${c.id}-${slot}` },
      );
    }
  },
};
