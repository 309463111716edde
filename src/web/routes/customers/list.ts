/** `GET /customers` (search, filters, sort, pages) and `GET /customers.csv` with the same filters. */
import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { RISK_LEVELS } from '../../../domain/customerRisk';
import {
  allCustomers,
  customerListQuery,
  LIST_SORTS,
  listCustomers,
  OVERDUE_FILTERS,
  type CustomerListQuery,
} from '../../../services/customers/list';
import { SEQUENCE_SOURCES } from '../../../services/customers/firm';
import { requireUser } from '../../middleware/auth';
import { sendCsv } from './csv';

/** The query string of the current filters (for sort links, pages and the CSV link). */
export function queryString(
  q: CustomerListQuery,
  change: Partial<Record<keyof CustomerListQuery, string | number>> = {},
): string {
  const params = new URLSearchParams();
  const merged = { ...q, ...change } as Record<string, unknown>;
  for (const k of ['q', 'balance', 'overdue', 'tag', 'sequence', 'via', 'risk', 'pilot', 'sort', 'page']) {
    const v = merged[k];
    if (v === undefined || v === null || v === '') continue;
    if (k === 'page' && Number(v) === 1) continue;
    if (k === 'sort' && v === 'balance') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function customersListRouter(app: AppContext): Router {
  const r = Router();

  r.get('/customers', requireUser, async (req, res) => {
    const q = customerListQuery.parse(req.query);
    const list = await listCustomers(req.org!.scope, q, { now: app.now() });
    res.render('pages/customers/list', {
      title: 'Customers',
      q,
      list,
      qs: (change: Partial<Record<keyof CustomerListQuery, string | number>> = {}) => queryString(q, change),
      overdueFilters: OVERDUE_FILTERS,
      riskLevels: RISK_LEVELS,
      sequenceSources: SEQUENCE_SOURCES,
      sorts: LIST_SORTS,
    });
  });

  r.get('/customers.csv', requireUser, async (req, res) => {
    const q = customerListQuery.parse(req.query);
    const { rows, firm } = await allCustomers(req.org!.scope, q, { now: app.now() });
    sendCsv(
      res,
      `customers-${firm.today}.csv`,
      [
        'Customer',
        'Customer id',
        'E-mail',
        'Currency',
        'Balance',
        'Overdue',
        'Days overdue',
        'Open invoices',
        'Tags',
        'Sequence',
        'Sequence chosen',
        'Paused until',
        'Pilot',
        'Risk',
        'Risk level',
      ],
      rows.map((c) => [
        c.name,
        c.id,
        c.email,
        c.currency,
        c.balance,
        c.overdueBalance,
        c.maxDaysOverdue,
        c.openInvoices,
        c.tags.join('; '),
        c.sequenceKey,
        c.sequenceSource,
        c.pausedUntil,
        c.pilot ? 'yes' : 'no',
        c.risk,
        c.riskLevel,
      ]),
    );
  });
  return r;
}
