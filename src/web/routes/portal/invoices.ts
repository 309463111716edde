/**
 * Portal: the customer's open invoices (`/portal`), one invoice (`/portal/invoices/:id`) and its
 * PDF from the books (`/portal/invoices/:id/pdf`). Behind requirePortal: `req.portal` is set, and
 * every service call is scoped to its firm and customer (anything else is a 404).
 */
import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import type { AppContext } from '../../../app/context';
import { paymentsEnabled } from '../../../services/payments/config';
import { getInvoiceDetail } from '../../../services/portal/invoices';
import { invoicePdf } from '../../../services/portal/pdf';
import { portalFormat } from './format';
import { OpenInvoicesPages } from './openInvoicesPage';

const portalOf = (req: Request) => req.portal!;

/** Where "Pay" goes: online payment here, else the platform's own link, else how to pay. */
export function payTarget(
  online: boolean,
  inv: { id: string; onlinePaymentUrl: string | null },
): { href: string; external: boolean } {
  if (online) return { href: `/portal/pay?invoice=${encodeURIComponent(inv.id)}`, external: false };
  if (inv.onlinePaymentUrl) return { href: inv.onlinePaymentUrl, external: true };
  return { href: '/portal/how-to-pay', external: false };
}

/** Where the rows go in the rendered page: random, so no text on the page can imitate it. */
const ROWS_MARK = `<!--rows-${crypto.randomUUID()}-->`;

export function portalInvoicesRouter(app: AppContext): Router {
  const r = Router();
  const pages = new OpenInvoicesPages();

  r.get('/', async (req, res, next) => {
    try {
      const p = portalOf(req);
      const online = paymentsEnabled(app);
      const page = await pages.get(p, online, (inv) => payTarget(online, inv));
      res.render(
        'portal/invoices',
        { title: 'Open invoices', list: page.list, rowsHtml: ROWS_MARK, fmt: portalFormat },
        (err, html) => {
          if (err) return next(err);
          // the rows go in already encoded; sent as is: no ETag hashing of a private page that is
          // never cached (no-store)
          const at = html.indexOf(ROWS_MARK);
          if (at < 0) return void res.type('html').end(html); // no open invoices: no table
          res
            .type('html')
            .end(
              Buffer.concat([
                Buffer.from(html.slice(0, at)),
                page.rows,
                Buffer.from(html.slice(at + ROWS_MARK.length)),
              ]),
            );
        },
      );
    } catch (err) {
      next(err);
    }
  });

  r.get('/invoices/:id', async (req, res, next) => {
    try {
      const p = portalOf(req);
      const detail = await getInvoiceDetail(p.scope, p.customerId, req.params.id, p.today);
      const online = paymentsEnabled(app);
      res.render('portal/invoice', {
        title: `Invoice ${detail.invoice.number ?? ''}`.trim(),
        detail,
        pay: detail.invoice.status === 'open' ? payTarget(online, detail.invoice) : null,
        fmt: portalFormat,
      });
    } catch (err) {
      next(err);
    }
  });

  r.get('/invoices/:id/pdf', async (req, res, next) => {
    try {
      const p = portalOf(req);
      const pdf = await invoicePdf(app, p.scope, p.customerId, req.params.id);
      if (!pdf.ok) {
        res.status(503).setHeader('Retry-After', '300');
        res.render('portal/pdf-unavailable', {
          title: 'Invoice copy not available',
          reason: pdf.reason,
          number: pdf.number,
          invoiceId: req.params.id,
        });
        return;
      }
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Disposition', `inline; filename="${pdf.filename}"`);
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.send(pdf.content);
    } catch (err) {
      next(err);
    }
  });

  return r;
}
