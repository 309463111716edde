import { and, desc, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { ConnectorError } from '../../../connectors/errors';
import type { RecordError, SyncMode } from '../../../connectors/types';
import { isUniqueViolation } from '../../db/errors';
import { connections, syncRuns, type SyncRunStatus } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { connectorContext } from '../connections/context';
import { markNeedsReconnect } from '../connections/health';
import { ConflictError, NotFoundError } from '../errors';
import { enqueuePromiseEvaluation } from '../promises/evaluate';
import { ingestBatch } from './ingest';
import { plannerStatsRefresher } from './plannerStats';

const log = getLogger('sync');
/** Record errors kept per run (the count is exact; the list is for reading). */
const MAX_ERRORS_KEPT = 500;

export type SyncTrigger = 'cli' | 'api' | 'schedule' | 'webhook' | 'ui' | 'connect';

export interface SyncSummary {
  syncRunId: string;
  status: SyncRunStatus;
  customers: number;
  invoices: number;
  payments: number;
  creditNotes: number;
  apiCalls: number;
  errors: RecordError[];
  /** When the platform asked us to wait (rate limit), how long. */
  retryAfterMs?: number;
  failureReason?: string | null;
}

/** A queued run row, for callers (API, UI) that answer before the sync runs. */
export async function createSyncRun(
  scope: OrgScope,
  connectionId: string,
  mode: SyncMode,
  trigger: SyncTrigger,
): Promise<string> {
  const [conn] = await scope.select(connections, eq(connections.id, connectionId));
  if (!conn) throw new NotFoundError('connection');
  const [run] = await scope
    .insert(syncRuns, { connectionId, mode, trigger, status: 'queued' })
    .returning({ id: syncRuns.id });
  return run!.id;
}

/**
 * The one sync service (CLI, API, schedule, webhooks, connect all come here). Streams the
 * connector's batches; each batch and its cursor are written in one transaction, so a crash
 * resumes from the last written batch without loss or duplicates.
 */
export async function runSync(
  app: AppContext,
  p: {
    organizationId: string;
    connectionId: string;
    mode: SyncMode;
    trigger: SyncTrigger;
    syncRunId?: string;
  },
): Promise<SyncSummary> {
  const scope = new OrgScope(app.db, p.organizationId);
  const [conn] = await scope.select(connections, eq(connections.id, p.connectionId));
  if (!conn) throw new NotFoundError('connection');
  const runId = p.syncRunId ?? (await createSyncRun(scope, conn.id, p.mode, p.trigger));
  const summary: SyncSummary = {
    syncRunId: runId,
    status: 'running',
    customers: 0,
    invoices: 0,
    payments: 0,
    creditNotes: 0,
    apiCalls: 0,
    errors: [],
  };

  if (conn.status !== 'connected') {
    await finish(scope, runId, {
      ...summary,
      status: 'failed',
      failureReason: `connection is ${conn.status.replace('_', ' ')}`,
    });
    return { ...summary, status: 'failed', failureReason: `connection is ${conn.status.replace('_', ' ')}` };
  }
  try {
    await scope.update(syncRuns, { status: 'running', startedAt: new Date() }, eq(syncRuns.id, runId));
  } catch (e) {
    if (isUniqueViolation(e)) {
      await finish(scope, runId, {
        ...summary,
        status: 'failed',
        failureReason: 'another sync of this connection is running',
      });
      throw new ConflictError('another sync of this connection is running');
    }
    throw e;
  }

  const connector = app.connectors.get(conn.platform);
  const ctx = connectorContext(app, conn);
  let errorCount = 0;
  // where the time goes: waiting for the platform (beyond the page read ahead) vs writing
  const timing = { fetchWaitMs: 0, writeMs: 0 };
  const stats = plannerStatsRefresher(app.db, (e) =>
    log.warn({ err: e }, 'could not refresh planner statistics'),
  );
  try {
    // read the next page while this one is written (the cursor still moves batch by batch)
    const batches = connector.sync(ctx, { mode: p.mode, cursor: conn.syncCursor })[Symbol.asyncIterator]();
    let next = batches.next();
    for (;;) {
      const waitStart = performance.now();
      const step = await next;
      timing.fetchWaitMs += performance.now() - waitStart;
      if (step.done) break;
      const batch = step.value;
      next = batches.next();
      next.catch(() => undefined); // surfaced when awaited above; never an unhandled rejection
      const writeStart = performance.now();
      await app.db.transaction(async (tx) => {
        const r = await ingestBatch(
          { db: tx, organizationId: conn.organizationId, connectionId: conn.id },
          batch,
        );
        summary.customers += r.customers;
        summary.invoices += r.invoices;
        summary.payments += r.payments;
        summary.creditNotes += r.creditNotes;
        errorCount += r.errors.length;
        if (summary.errors.length < MAX_ERRORS_KEPT)
          summary.errors.push(...r.errors.slice(0, MAX_ERRORS_KEPT - summary.errors.length));
        await tx
          .update(connections)
          .set({ syncCursor: batch.cursor as never, updatedAt: new Date() })
          .where(and(eq(connections.id, conn.id), eq(connections.organizationId, conn.organizationId)));
        await tx
          .update(syncRuns)
          .set({
            customers: summary.customers,
            invoices: summary.invoices,
            payments: summary.payments,
            creditNotes: summary.creditNotes,
            apiCalls: ctx.stats.apiCalls,
            rateLimited: ctx.stats.rateLimited,
            progressDone:
              batch.progress?.done ??
              sql`${syncRuns.progressDone} + ${r.customers + r.invoices + r.payments + r.creditNotes}`,
            progressTotal: batch.progress?.total ?? null,
            errors: summary.errors,
          })
          .where(eq(syncRuns.id, runId));
      });
      timing.writeMs += performance.now() - writeStart;
      await stats.written(summary.customers + summary.invoices + summary.payments + summary.creditNotes);
    }
    summary.apiCalls = ctx.stats.apiCalls;
    summary.status = errorCount > 0 ? 'partial' : 'succeeded';
    await scope.update(connections, { lastSyncAt: new Date() }, eq(connections.id, conn.id));
  } catch (e) {
    summary.apiCalls = ctx.stats.apiCalls;
    if (e instanceof ConnectorError && e.kind === 'rate_limited') {
      summary.status = 'postponed';
      summary.retryAfterMs = e.details.retryAfterMs ?? 60_000;
      summary.failureReason = e.message;
    } else {
      summary.status = 'failed';
      summary.failureReason = e instanceof Error ? e.message : String(e);
      if (e instanceof ConnectorError && e.kind === 'needs_reconnect')
        await markNeedsReconnect(app, conn.id, e.message);
      log.error({ connectionId: conn.id, err: summary.failureReason }, 'sync failed');
    }
  }
  await finish(scope, runId, summary, ctx.stats.rateLimited);
  log.info(
    {
      connectionId: conn.id,
      status: summary.status,
      apiCalls: summary.apiCalls,
      fetchWaitMs: Math.round(timing.fetchWaitMs),
      writeMs: Math.round(timing.writeMs),
    },
    'sync run timing',
  );
  // Promises to pay settle against what this sync brought in (never fails the sync itself).
  if (summary.status === 'succeeded' || summary.status === 'partial')
    await enqueuePromiseEvaluation(app, p.organizationId, `sync-${runId}`).catch((e: unknown) =>
      log.warn({ connectionId: conn.id, err: e }, 'could not enqueue the promise evaluation'),
    );
  return summary;
}

async function finish(scope: OrgScope, runId: string, s: SyncSummary, rateLimited = 0) {
  await scope.update(
    syncRuns,
    {
      status: s.status,
      customers: s.customers,
      invoices: s.invoices,
      payments: s.payments,
      creditNotes: s.creditNotes,
      apiCalls: s.apiCalls,
      rateLimited,
      errors: s.errors,
      failureReason: s.failureReason ?? null,
      finishedAt: new Date(),
    },
    eq(syncRuns.id, runId),
  );
}

export async function listSyncRuns(scope: OrgScope, limit = 100) {
  return scope.db
    .select()
    .from(syncRuns)
    .where(scope.where(syncRuns))
    .orderBy(desc(syncRuns.createdAt))
    .limit(limit);
}
