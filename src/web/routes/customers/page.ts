/**
 * `GET /customers/:id`: the customer page (header, contacts, open invoices, promises, disputes,
 * the timeline with "show older", the action forms), and the CSV of each of its tables.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { DISPUTE_CATEGORIES, REQUEST_CATEGORIES } from '../../../services/policies';
import { getCustomerDetail } from '../../../services/customers/detail';
import { newRequestKey } from '../../../services/customers/requestKey';
import { customerTimeline } from '../../../services/customers/timeline';
import { categoryLabel } from '../../../services/disputes';
import { NotFoundError } from '../../../services/errors';
import { TASK_OUTCOMES } from '../../../services/tasks';
import { requireUser } from '../../middleware/auth';
import { pathId } from './common';
import { sendCsv } from './csv';
import { timeIn, timelineLine } from './present';

export interface FormState {
  /** Which form the error or the values belong to. */
  form: string;
  message?: string;
  values?: Record<string, unknown>;
}

/** Render the page; after a rejected form, with its message and what was typed (status 400). */
export async function renderCustomerPage(
  app: AppContext,
  req: Request,
  res: Response,
  customerId: string,
  opts: { status?: number; formState?: FormState } = {},
): Promise<void> {
  const scope = req.org!.scope;
  const detail = await getCustomerDetail(scope, customerId, app.now());
  const before = typeof req.query.before === 'string' ? req.query.before : null;
  const timeline = await customerTimeline(scope, customerId, { timezone: detail.firm.timezone, before });
  const zone = detail.firm.timezone;
  res.status(opts.status ?? 200).render('pages/customers/show', {
    title: detail.customer.name,
    d: detail,
    timeline: timeline.entries.map((e) => timelineLine(e, zone)),
    olderCursor: timeline.older,
    showingOlder: Boolean(before),
    time: (t: Date | null | undefined, dateOnly = false) => timeIn(zone, t, dateOnly),
    formState: opts.formState ?? null,
    requestKey: newRequestKey,
    callOutcomes: TASK_OUTCOMES,
    disputeCategories: DISPUTE_CATEGORIES,
    requestCategories: REQUEST_CATEGORIES,
    categoryLabel,
  });
}

export function customerPageRouter(app: AppContext): Router {
  const r = Router();

  r.get('/customers/:id', requireUser, async (req, res) => {
    await renderCustomerPage(app, req, res, pathId(req, 'id', 'customer'));
  });

  r.get('/customers/:id/:table.csv', requireUser, async (req, res) => {
    const id = pathId(req, 'id', 'customer');
    const table = req.params.table;
    const scope = req.org!.scope;
    const d = await getCustomerDetail(scope, id, app.now());
    const zone = d.firm.timezone;
    const base = `customer-${d.customer.externalId.replace(/[^\w-]/g, '')}-${table}-${d.firm.today}.csv`;
    switch (table) {
      case 'invoices':
        return sendCsv(
          res,
          base,
          [
            'Invoice',
            'Invoice id',
            'Issued',
            'Due',
            'Days overdue',
            'Aging bucket',
            'Currency',
            'Total',
            'Balance',
            'Promised',
            'Disputed',
          ],
          d.openInvoices.map((i) => [
            i.number,
            i.id,
            i.issueDate,
            i.dueDate,
            i.daysOverdue,
            i.agingBucket,
            i.currency,
            i.total,
            i.balance,
            i.promised ? 'yes' : 'no',
            i.disputed ? 'yes' : 'no',
          ]),
        );
      case 'contacts':
        return sendCsv(
          res,
          base,
          ['Name', 'E-mail', 'Phone', 'Role', 'Primary', 'Preferred channel', 'Time zone', 'Status'],
          d.contacts.map((k) => [
            k.name,
            k.email,
            k.phone,
            k.role,
            k.isPrimary ? 'yes' : 'no',
            k.preferredChannel,
            k.timezone,
            k.status,
          ]),
        );
      case 'promises':
        return sendCsv(
          res,
          base,
          ['Promised on', 'Amount', 'Currency', 'Promised date', 'Status', 'Paid', 'Source'],
          d.promises.map((p) => [
            timeIn(zone, p.createdAt),
            p.amount,
            p.currency,
            p.promisedDate,
            p.status,
            p.amountPaid,
            p.source,
          ]),
        );
      case 'disputes':
        return sendCsv(
          res,
          base,
          ['Reference', 'Kind', 'Category', 'Status', 'Opened', 'First answer due', 'Invoices'],
          d.openDisputes.map((x) => [
            x.reference,
            x.kind,
            categoryLabel(x.category),
            x.status,
            timeIn(zone, x.createdAt),
            timeIn(zone, x.firstResponseDueAt),
            x.invoiceNumbers.join('; '),
          ]),
        );
      case 'timeline': {
        // the whole history, page by page (bounded)
        const lines = [];
        let before: string | null = null;
        for (let i = 0; i < 50; i++) {
          const page = await customerTimeline(scope, id, { timezone: zone, before, limit: 200 });
          lines.push(...page.entries.map((e) => timelineLine(e, zone)));
          if (!page.older) break;
          before = page.older;
        }
        return sendCsv(
          res,
          base,
          ['Time', 'Kind', 'What', 'Detail', 'By'],
          lines.map((l) => [l.at, l.kind, l.title, l.detail, l.actor]),
        );
      }
      default:
        throw new NotFoundError('table');
    }
  });
  return r;
}
