import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import { agingReport } from '../../../services/reports/aging';
import { metricsReport } from '../../../services/reports/metrics';

const date = (field: string) =>
  z.string({ message: `${field} must be a date written YYYY-MM-DD` }).optional();

const agingQuery = z.object({ asOf: date('asOf') });
const metricsQuery = z.object({ from: date('from'), to: date('to') });

/** `/reports/aging` and `/reports/metrics` (CONTRACT.md §3); the services validate the dates. */
export function reportsApi(app: AppContext): Router {
  const r = Router();
  r.get('/reports/aging', async (req, res) => {
    const q = agingQuery.parse(req.query);
    res.json(await agingReport(req.apiAuth!.scope, { now: app.now(), asOf: q.asOf }));
  });
  r.get('/reports/metrics', async (req, res) => {
    const q = metricsQuery.parse(req.query);
    res.json(await metricsReport(req.apiAuth!.scope, { now: app.now(), from: q.from, to: q.to }));
  });
  return r;
}
