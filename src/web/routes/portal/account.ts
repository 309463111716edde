/**
 * Portal: paid invoices and payment history (`/portal/paid`, `/portal/payments/:id`), the
 * statement of account (`/portal/statement`, `.csv`) and how to pay (`/portal/how-to-pay`).
 */
import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { ValidationError } from '../../../services/errors';
import { paymentsEnabled } from '../../../services/payments/config';
import { getPayment, listPaidInvoices, listPayments } from '../../../services/portal/history';
import { listOpenInvoices } from '../../../services/portal/invoices';
import {
  customerStatement,
  statementCsv,
  statementKindLabel,
  statementPeriod,
} from '../../../services/portal/statement';
import { portalFormat } from './format';

export function portalAccountRouter(app: AppContext): Router {
  const r = Router();

  r.get('/paid', async (req, res, next) => {
    try {
      const p = req.portal!;
      const [paid, payments] = await Promise.all([
        listPaidInvoices(p.scope, p.customerId),
        listPayments(p.scope, p.customerId),
      ]);
      res.render('portal/paid', { title: 'Paid invoices and payments', paid, payments, fmt: portalFormat });
    } catch (err) {
      next(err);
    }
  });

  r.get('/payments/:id', async (req, res, next) => {
    try {
      const p = req.portal!;
      const payment = await getPayment(p.scope, p.customerId, req.params.id);
      res.render('portal/payment', { title: 'Payment', payment, fmt: portalFormat });
    } catch (err) {
      next(err);
    }
  });

  r.get('/statement', async (req, res, next) => {
    const p = req.portal!;
    try {
      const period = statementPeriod(req.query, p.today);
      const statement = await customerStatement(p.scope, p.customerId, period);
      res.render('portal/statement', {
        title: 'Statement of account',
        statement,
        kindLabel: statementKindLabel,
        error: null,
        fmt: portalFormat,
      });
    } catch (err) {
      if (!(err instanceof ValidationError)) return next(err);
      res.status(400).render('portal/statement', {
        title: 'Statement of account',
        statement: null,
        query: { from: String(req.query.from ?? ''), to: String(req.query.to ?? '') },
        kindLabel: statementKindLabel,
        error: err.message.replace(/^from: /, 'Start date: ').replace(/^to: /, 'End date: '),
        fmt: portalFormat,
      });
    }
  });

  r.get('/statement.csv', async (req, res, next) => {
    try {
      const p = req.portal!;
      const period = statementPeriod(req.query, p.today);
      const statement = await customerStatement(p.scope, p.customerId, period);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="statement-${period.from}-to-${period.to}.csv"`,
      );
      res.setHeader('Cache-Control', 'private, no-store');
      res.send(statementCsv(statement));
    } catch (err) {
      next(err);
    }
  });

  r.get('/how-to-pay', async (req, res, next) => {
    try {
      const p = req.portal!;
      const open = await listOpenInvoices(p.scope, p.customerId, p.today);
      res.render('portal/how-to-pay', {
        title: 'How to pay',
        instructions: p.firm.branding.paymentInstructions?.trim() || null,
        online: paymentsEnabled(app),
        withLinks: open.invoices.filter((i) => i.onlinePaymentUrl),
        totals: open.totals,
        fmt: portalFormat,
      });
    } catch (err) {
      next(err);
    }
  });

  return r;
}
