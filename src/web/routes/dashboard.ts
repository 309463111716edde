import { Router } from 'express';
import type { AppContext } from '../../app/context';
import { AGING_BUCKETS } from '../../domain/aging';
import { agingReport, type AgingReport, type CurrencyAging } from '../../services/reports/aging';
import { expectedCashReport, metricsReport } from '../../services/reports/metrics';
import { requireUser } from '../middleware/auth';

/** `/dashboard` (any signed-in role) and the CSV export of its aging table. */
export function dashboardRouter(app: AppContext): Router {
  const r = Router();
  r.get('/dashboard', requireUser, async (req, res) => {
    const scope = req.org!.scope;
    const now = app.now();
    const aging = await agingReport(scope, { now });
    const metrics = await metricsReport(scope, { now });
    const cash = await expectedCashReport(scope, { now });
    // numbers for the charts, read by /assets/dashboard.js (no inline script under the CSP)
    const chartData = {
      currency: aging.currency,
      aging: { labels: [...AGING_BUCKETS], values: AGING_BUCKETS.map((b) => Number(aging.buckets[b])) },
      trend: {
        labels: metrics.trend.map((p) => p.month),
        standard: metrics.trend.map((p) => p.dsoStandard),
        countback: metrics.trend.map((p) => p.dsoCountback),
      },
    };
    res.render('pages/dashboard', {
      title: 'Dashboard',
      buckets: AGING_BUCKETS,
      aging,
      metrics,
      cash,
      chartJson: JSON.stringify(chartData).replace(/</g, '\\u003c'),
    });
  });

  r.get('/dashboard/aging.csv', requireUser, async (req, res) => {
    const aging = await agingReport(req.org!.scope, { now: app.now() });
    res.type('text/csv; charset=utf-8');
    res.attachment(`aging-${aging.asOf}.csv`);
    res.send(agingCsv(aging));
  });
  return r;
}

/** One row per customer and currency, then a total row per currency; amounts as in the API. */
export function agingCsv(report: AgingReport): string {
  const lines = [['Customer', 'Customer id', 'Currency', ...AGING_BUCKETS, 'Total']];
  for (const section of [report as CurrencyAging, ...report.byCurrency]) {
    for (const c of section.byCustomer)
      lines.push([
        c.name,
        c.customerId,
        section.currency,
        ...AGING_BUCKETS.map((b) => c.buckets[b]),
        c.total,
      ]);
    lines.push([
      'Total',
      '',
      section.currency,
      ...AGING_BUCKETS.map((b) => section.buckets[b]),
      section.total,
    ]);
  }
  return lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** RFC 4180 quoting; a text cell a spreadsheet would run as a formula is prefixed with '. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
