import { Router, type Response } from 'express';
import type { AppContext } from '../../app/context';
import { AGING_BUCKETS } from '../../domain/aging';
import { agingReport, type AgingReport, type CurrencyAging } from '../../services/reports/aging';
import { disputeSla, weeklyActivity } from '../../services/reports/collections';
import { expectedCashReport, metricsReport, type MetricsReport } from '../../services/reports/metrics';
import { firmBasics } from '../../services/reports/period';
import type { OrgScope } from '../../db/scope';
import { toCsv } from '../csv';
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
    const { sla, weekly } = await collectionWork(scope, metrics, now);
    // numbers for the charts, read by /assets/dashboard.js (no inline script under the CSP)
    const chartData = {
      currency: aging.currency,
      aging: { labels: [...AGING_BUCKETS], values: AGING_BUCKETS.map((b) => Number(aging.buckets[b])) },
      trend: {
        labels: metrics.trend.map((p) => p.month),
        standard: metrics.trend.map((p) => p.dsoStandard),
        countback: metrics.trend.map((p) => p.dsoCountback),
      },
      weekly: {
        labels: weekly.map((w) => w.week),
        emails: weekly.map((w) => w.emails),
        calls: weekly.map((w) => w.calls),
      },
    };
    res.render('pages/dashboard', {
      title: 'Dashboard',
      buckets: AGING_BUCKETS,
      aging,
      metrics,
      cash,
      sla,
      weekly,
      chartJson: JSON.stringify(chartData).replace(/</g, '\\u003c'),
    });
  });

  // every table of the dashboard as CSV
  r.get('/dashboard/trend.csv', requireUser, async (req, res) => {
    const m = await metricsReport(req.org!.scope, { now: app.now() });
    sendCsv(res, `dso-trend-${m.to}.csv`, [
      ['Month', 'As of', 'Currency', 'Receivables', 'Credit sales', 'DSO standard', 'DSO countback'],
      ...m.trend.map((p) => [
        p.month,
        p.asOf,
        m.currency,
        p.ar,
        p.creditSales,
        p.dsoStandard,
        p.dsoCountback,
      ]),
    ]);
  });
  r.get('/dashboard/cash.csv', requireUser, async (req, res) => {
    const c = await expectedCashReport(req.org!.scope, { now: app.now() });
    sendCsv(res, `expected-cash-${c.asOf}.csv`, [
      ['Week from', 'Week to', 'Currency', 'From due dates', 'From promises', 'Total'],
      ...c.weeks.map((w) => [w.from, w.to, c.currency, w.fromDueDates, w.fromPromises, w.total]),
    ]);
  });
  r.get('/dashboard/activity.csv', requireUser, async (req, res) => {
    const scope = req.org!.scope;
    const m = await metricsReport(scope, { now: app.now() });
    const { weekly } = await collectionWork(scope, m, app.now());
    sendCsv(res, `collection-activity-${m.to}.csv`, [
      ['Week of', 'E-mails sent', 'Calls made'],
      ...weekly.map((w) => [w.week, w.emails, w.calls]),
    ]);
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
  return toCsv(lines);
}

function sendCsv(res: Response, filename: string, rows: (string | number | null)[][]): void {
  res.type('text/csv; charset=utf-8');
  res.attachment(filename);
  res.send(toCsv(rows));
}

/** Dispute SLA attainment over the metrics period and e-mails/calls of the last eight weeks. */
async function collectionWork(scope: OrgScope, metrics: MetricsReport, now: Date) {
  const firm = await firmBasics(scope, now);
  const [sla, weekly] = await Promise.all([
    disputeSla(scope, { from: metrics.from, to: metrics.to, now }),
    weeklyActivity(scope, { today: firm.today, timezone: firm.timezone }),
  ]);
  return { sla, weekly };
}
