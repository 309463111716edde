import { Router } from 'express';
import type { AppContext } from '../../app/context';
import { latestSyncRun, listConnections } from '../../services/connections/queries';

/** Settings → Connections: each connected company, its status and last sync. */
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
    });
  });
  return r;
}
