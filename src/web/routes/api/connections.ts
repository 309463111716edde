import { desc, eq, lt } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import { SYNC_CONNECTION_JOB } from '../../../../jobs/definitions/syncConnection';
import type { AppContext } from '../../../app/context';
import { connections, syncRuns } from '../../../db/schema';
import { isUuid } from '../../../db/scope';
import { listConnections } from '../../../services/connections/queries';
import { createSyncRun } from '../../../services/sync/runSync';
import { HttpError } from '../../middleware/errors';
import { decodeCursor, listQuery } from './pagination';

const syncBody = z.object({ full: z.boolean().optional() }).strict();

export function connectionsApi(app: AppContext): Router {
  const r = Router();
  r.get('/connections', async (req, res) => {
    res.json({ data: await listConnections(req.apiAuth!.scope), nextCursor: null });
  });

  /** Start a sync; the run id is returned at once (202) and the run shows its progress. */
  r.post('/connections/:id/sync', async (req, res) => {
    const scope = req.apiAuth!.scope;
    const id = req.params.id as string;
    const body = syncBody.parse(req.body ?? {});
    const conn = isUuid(id) ? await scope.findById(connections, id) : undefined;
    if (!conn) throw new HttpError(404, 'not_found', 'connection not found');
    if (conn.status !== 'connected')
      throw new HttpError(
        409,
        'needs_reconnect',
        `the connection is ${conn.status.replace('_', ' ')}; reconnect it first`,
      );
    const mode = body.full ? 'full' : 'incremental';
    const syncRunId = await createSyncRun(scope, conn.id, mode, 'api');
    await app.queue.enqueue(
      SYNC_CONNECTION_JOB,
      { organizationId: scope.organizationId, connectionId: conn.id, mode, trigger: 'api', syncRunId },
      { jobId: `sync-run-${syncRunId}` },
    );
    res.status(202).json({ syncRunId });
  });

  r.get('/sync-runs', async (req, res) => {
    const q = listQuery.parse(req.query);
    const scope = req.apiAuth!.scope;
    const before = decodeCursor(q.cursor);
    let cursorAt: Date | null = null;
    if (before) {
      const [c] = await scope.select(syncRuns, eq(syncRuns.id, before));
      cursorAt = c?.createdAt ?? null;
    }
    const rows = await scope.db
      .select()
      .from(syncRuns)
      .where(scope.where(syncRuns, cursorAt ? lt(syncRuns.createdAt, cursorAt) : undefined))
      .orderBy(desc(syncRuns.createdAt))
      .limit(q.limit + 1);
    const data = rows.slice(0, q.limit).map((s) => ({
      id: s.id,
      connectionId: s.connectionId,
      mode: s.mode,
      trigger: s.trigger,
      status: s.status,
      customers: s.customers,
      invoices: s.invoices,
      payments: s.payments,
      creditNotes: s.creditNotes,
      apiCalls: s.apiCalls,
      progress: { done: s.progressDone, total: s.progressTotal },
      errors: s.errors,
      failureReason: s.failureReason,
      startedAt: s.startedAt?.toISOString() ?? null,
      finishedAt: s.finishedAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
    }));
    res.json({
      data,
      nextCursor: rows.length > q.limit ? Buffer.from(data[data.length - 1]!.id).toString('base64url') : null,
    });
  });

  r.get('/sync-runs/:id', async (req, res) => {
    const id = req.params.id as string;
    const run = isUuid(id) ? await req.apiAuth!.scope.findById(syncRuns, id) : undefined;
    if (!run) throw new HttpError(404, 'not_found', 'sync run not found');
    res.json(run);
  });
  return r;
}
