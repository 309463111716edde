import { Router } from 'express';
import type { AppContext } from '../../app/context';
import { requireUser } from '../middleware/auth';
import { arSummary } from '../../services/reports/summary';
import { listConnections } from '../../services/connections/queries';

export function homeRouter(app: AppContext): Router {
  const r = Router();
  r.get('/', requireUser, async (req, res) => {
    const scope = req.org!.scope;
    const [summary, connections] = await Promise.all([arSummary(scope, app.now()), listConnections(scope)]);
    res.render('pages/home', { title: 'Overview', summary, connections });
  });
  return r;
}
