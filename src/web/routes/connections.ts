import { Router } from 'express';
import type { AppContext } from '../../app/context';
import { SYNC_CONNECTION_JOB } from '../../../jobs/definitions/syncConnection';
import { connections } from '../../db/schema';
import { isUuid } from '../../db/scope';
import { disconnect } from '../../services/connections/lifecycle';
import { newOAuthState, redirectUri } from '../../services/connections/oauthFlow';
import { latestSyncRun, listConnections } from '../../services/connections/queries';
import { createSyncRun } from '../../services/sync/runSync';
import { flash, requireRole } from '../middleware/auth';
import { HttpError } from '../middleware/errors';

const actorOf = (req: { user?: { id: string } }) => ({ type: 'user' as const, id: req.user?.id ?? null });

/** Settings → Connections: company name, status, last sync and its figures, Sync now, Connect/Disconnect. */
export function connectionsRouter(app: AppContext): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const scope = req.org!.scope;
    const list = await listConnections(scope);
    const withRuns = await Promise.all(
      list.map(async (c) => ({ ...c, lastRun: await latestSyncRun(scope, c.id) })),
    );
    res.render('pages/settings/connections', {
      title: 'Connections',
      connections: withRuns,
      platforms: app.connectors.list().map((c) => ({ platform: c.platform, name: c.displayName })),
      pending: req.session.pendingTenants ?? null,
    });
  });

  r.post('/:platform/connect', requireRole('admin'), (req, res) => {
    const platform = req.params.platform as string;
    const connector = app.connectors.get(platform);
    const state = newOAuthState(platform, 'connect', req.org!.id);
    req.session.oauthState = state;
    req.session.save(() =>
      res.redirect(
        connector.oauth.authorizationUrl({ state: state.state, redirectUri: redirectUri(app, platform) }),
      ),
    );
  });

  r.post('/:id/sync', requireRole('clerk'), async (req, res) => {
    const id = req.params.id as string;
    const scope = req.org!.scope;
    const conn = isUuid(id) ? await scope.findById(connections, id) : undefined;
    if (!conn) throw new HttpError(404, 'not_found', 'connection not found');
    if (conn.status !== 'connected') {
      flash(req, 'error', 'Reconnect this company before syncing it.');
      return res.redirect('/settings/connections');
    }
    const syncRunId = await createSyncRun(scope, conn.id, 'incremental', 'ui');
    await app.queue.enqueue(
      SYNC_CONNECTION_JOB,
      {
        organizationId: scope.organizationId,
        connectionId: conn.id,
        mode: 'incremental',
        trigger: 'ui',
        syncRunId,
      },
      { jobId: `sync-run-${syncRunId}` },
    );
    flash(req, 'info', 'Sync started. This page shows its progress.');
    res.redirect('/settings/connections');
  });

  r.post('/:id/disconnect', requireRole('admin'), async (req, res) => {
    await disconnect(app, req.org!.scope, req.params.id as string, actorOf(req));
    flash(req, 'success', 'Disconnected. Synced history is kept; reminders for this company stop.');
    res.redirect('/settings/connections');
  });

  r.get('/:id/progress.json', async (req, res) => {
    const id = req.params.id as string;
    const conn = isUuid(id) ? await req.org!.scope.findById(connections, id) : undefined;
    if (!conn) throw new HttpError(404, 'not_found', 'connection not found');
    const run = await latestSyncRun(req.org!.scope, conn.id);
    res.json(
      run
        ? {
            status: run.status,
            done: run.progressDone,
            total: run.progressTotal,
            invoices: run.invoices,
            customers: run.customers,
          }
        : null,
    );
  });
  return r;
}
