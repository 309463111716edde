/**
 * Settings → Payments: whether online payment (Stripe) is on for this deployment, the payment
 * instructions the portal shows (kept with the branding), and where the books file a payment
 * taken online: the Xero bank account code (Xero write-back is held until it is set; saving it
 * releases the held payments) and the optional QuickBooks deposit account. Admin+ edits.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { listConnections } from '../../../services/connections/queries';
import { ValidationError } from '../../../services/errors';
import { paymentsEnabled } from '../../../services/payments/config';
import {
  countHeldXeroPayments,
  firmPaymentSettings,
  updatePaymentSettings,
} from '../../../services/payments/settings';
import { flash, requireRole } from '../../middleware/auth';
import { actorOf, currentOrg, field } from './common';

const FIELDS = ['xeroAccountCode', 'quickbooksDepositAccountId'] as const;
const LABELS: Record<string, string> = {
  xeroAccountCode: 'Xero bank account code',
  quickbooksDepositAccountId: 'QuickBooks deposit account id',
};

export function paymentsSettingsRouter(app: AppContext): Router {
  const r = Router();

  async function render(
    req: Request,
    res: Response,
    values: Record<string, string>,
    error: { message: string; field?: string } | null = null,
  ) {
    const scope = req.org!.scope;
    const [org, conns, held] = await Promise.all([
      currentOrg(app, req),
      listConnections(scope),
      countHeldXeroPayments(scope),
    ]);
    const key = app.config.STRIPE_SECRET_KEY ?? '';
    res.status(error ? 400 : 200).render('pages/settings/payments', {
      title: 'Payments',
      values,
      error,
      stripe: {
        enabled: paymentsEnabled(app),
        mode: key.startsWith('sk_live_') ? 'live' : key ? 'test' : null,
        webhookSecret: Boolean(app.config.STRIPE_WEBHOOK_SECRET),
      },
      instructions: org.branding.paymentInstructions?.trim() || null,
      platforms: {
        xero: conns.filter((c) => c.platform === 'xero').map((c) => c.displayName),
        quickbooks: conns.filter((c) => c.platform === 'quickbooks').map((c) => c.displayName),
      },
      held,
    });
  }

  r.get('/', async (req, res) => {
    const saved = firmPaymentSettings((await currentOrg(app, req)).settings);
    await render(req, res, {
      xeroAccountCode: saved.xeroAccountCode ?? '',
      quickbooksDepositAccountId: saved.quickbooksDepositAccountId ?? '',
    });
  });

  r.post('/', requireRole('admin'), async (req, res) => {
    const values = Object.fromEntries(FIELDS.map((f) => [f, field(req.body, f)]));
    let released = 0;
    try {
      ({ released } = await updatePaymentSettings(app, req.org!.scope, values, actorOf(req)));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const label = e.field ? LABELS[e.field] : undefined;
      const reason = e.message.replace(/^[^:]+: /, '');
      return render(req, res, values, {
        message: label ? `${label} ${reason}` : reason,
        field: e.field,
      });
    }
    flash(
      req,
      'success',
      released > 0
        ? `Payment settings saved. ${released} held ${released === 1 ? 'payment is' : 'payments are'} being written back to Xero.`
        : 'Payment settings saved.',
    );
    res.redirect('/settings/payments');
  });

  return r;
}
