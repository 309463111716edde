/**
 * Portal: pay online with Stripe Checkout (behind requirePortal; `req.portal` is set).
 * `GET /portal/pay` lists the open invoices with editable amounts (`?invoice=` preselects one);
 * `POST /portal/pay` checks the choice and sends the browser to Stripe (303); Stripe comes back
 * to `/portal/pay/success?session_id=…` (which shows what the signed webhook recorded, never
 * what the URL claims) or `/portal/pay/cancelled`. Without Stripe, /portal/pay leads to the
 * firm's payment instructions.
 */
import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { formatMoney, minorUnits, parseMoney } from '../../../domain/money';
import { ServiceError } from '../../../services/errors';
import { createCheckout } from '../../../services/payments/checkout';
import { paymentsEnabled } from '../../../services/payments/config';
import { getCustomerCheckout } from '../../../services/payments/status';
import { listOpenInvoices, type OpenInvoices } from '../../../services/portal/invoices';
import { renderTooMany } from '../../middleware/portalAuth';
import { consume, createLimiter } from '../../middleware/throttle';
import { portalFormat } from './format';

/** Checkouts one customer may open per 10 minutes (each is a Stripe API call). */
export const PAY_ATTEMPTS_PER_10_MINUTES = 10;

interface FormValues {
  selected: Set<string>;
  amounts: Record<string, string>;
  attemptId: string;
}

/** "1200.0000" as stored → "1200.00": what a person would type. */
const plain = (amount: string, currency: string) => formatMoney(parseMoney(amount), currency);
const newAttempt = () => crypto.randomBytes(16).toString('hex');
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function defaults(list: OpenInvoices, preselect: string | undefined): FormValues {
  const amounts = Object.fromEntries(list.invoices.map((i) => [i.id, plain(i.balance, i.currency)]));
  const chosen = list.invoices.find((i) => i.id === preselect);
  // one invoice asked for, else everything in the first currency (one currency per payment)
  const currency = chosen?.currency ?? list.invoices[0]?.currency;
  const selected = new Set(
    chosen ? [chosen.id] : list.invoices.filter((i) => i.currency === currency).map((i) => i.id),
  );
  return { selected, amounts, attemptId: newAttempt() };
}

function renderPay(
  res: Response,
  status: number,
  list: OpenInvoices,
  values: FormValues,
  error: { message: string; invoiceId: string | null } | null = null,
) {
  res.status(status).render('portal/pay', {
    title: 'Pay online',
    list,
    values,
    error,
    fmt: portalFormat,
    decimalsOf: minorUnits,
  });
}

/** The invoice a service error's field points at ("allocations.2.amount" → the third chosen). */
function fieldInvoice(field: string | undefined, chosen: string[]): string | null {
  const m = field ? /^allocations\.(\d+)\./.exec(field) : null;
  return m ? (chosen[Number(m[1])] ?? null) : null;
}

export function portalPayRouter(app: AppContext): Router {
  const r = Router();
  const limiter = createLimiter({
    keyPrefix: 'portal-pay',
    points: PAY_ATTEMPTS_PER_10_MINUTES,
    durationSec: 600,
    redisUrl: app.config.REDIS_URL,
  });

  r.get('/pay', async (req, res, next) => {
    try {
      if (!paymentsEnabled(app)) return res.redirect(303, '/portal/how-to-pay');
      const p = req.portal!;
      const list = await listOpenInvoices(p.scope, p.customerId, p.today);
      const preselect = typeof req.query.invoice === 'string' ? req.query.invoice : undefined;
      renderPay(res, 200, list, defaults(list, preselect));
    } catch (err) {
      next(err);
    }
  });

  r.post('/pay', async (req: Request, res, next) => {
    try {
      if (!paymentsEnabled(app)) return res.redirect(303, '/portal/how-to-pay');
      const p = req.portal!;
      const wait = await consume(limiter, `${p.organizationId}:${p.customerId}`);
      if (wait > 0) return renderTooMany(res, wait, { name: p.firm.name, branding: p.firm.branding });
      const body = (req.body ?? {}) as Record<string, unknown>;
      const chosen = ([] as unknown[])
        .concat(body.pay ?? [])
        .filter((v): v is string => typeof v === 'string')
        .slice(0, 50);
      const amountOf = (id: string) => {
        const v = body[`amount_${id}`];
        return typeof v === 'string' ? v : '';
      };
      const attempt = typeof body.attempt === 'string' ? body.attempt : undefined;
      try {
        const { url } = await createCheckout(app, p.scope, {
          customerId: p.customerId,
          contactId: p.contactId,
          allocations: chosen.map((invoiceId) => ({ invoiceId, amount: amountOf(invoiceId) })),
          successUrl: `${app.config.BASE_URL}/portal/pay/success?session_id={CHECKOUT_SESSION_ID}`,
          cancelUrl: `${app.config.BASE_URL}/portal/pay/cancelled`,
          attemptId: attempt && /^[0-9a-f]{32}$/.test(attempt) ? attempt : undefined,
        });
        res.redirect(303, url);
      } catch (err) {
        if (!(err instanceof ServiceError) || ![400, 409, 502].includes(err.status)) throw err;
        const list = await listOpenInvoices(p.scope, p.customerId, p.today);
        const typed: FormValues = {
          selected: new Set(chosen),
          amounts: Object.fromEntries(
            list.invoices.map((i) => [
              i.id,
              chosen.includes(i.id) ? amountOf(i.id) : plain(i.balance, i.currency),
            ]),
          ),
          // a conflict means that attempt is spent: the next submit is a new one
          attemptId: err.status === 409 || !attempt ? newAttempt() : attempt,
        };
        const message =
          err.field && err.message.startsWith(`${err.field}: `)
            ? err.message.slice(err.field.length + 2)
            : err.message;
        renderPay(res, err.status === 502 ? 503 : 400, list, typed, {
          message: capitalise(message) + (message.endsWith('.') ? '' : '.'),
          invoiceId: fieldInvoice(err.field, chosen),
        });
      }
    } catch (err) {
      next(err);
    }
  });

  r.get('/pay/success', async (req, res, next) => {
    try {
      const p = req.portal!;
      const sessionId = typeof req.query.session_id === 'string' ? req.query.session_id : '';
      const checkout = await getCustomerCheckout(p.scope, p.customerId, sessionId);
      res.render('portal/pay-result', { title: 'Payment', checkout, sessionId, fmt: portalFormat });
    } catch (err) {
      if (err instanceof ServiceError && err.status === 404) {
        res.status(404).render('portal/pay-result', { title: 'Payment', checkout: null, fmt: portalFormat });
        return;
      }
      next(err);
    }
  });

  r.get('/pay/cancelled', (_req, res) => {
    res.render('portal/pay-cancelled', { title: 'Payment cancelled', online: paymentsEnabled(app) });
  });

  return r;
}
