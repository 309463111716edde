import express, { Router } from 'express';
import Stripe from 'stripe';
import type { AppContext } from '../../app/context';
import { getLogger } from '../../logging/logger';
import { paymentsEnabled } from '../../services/payments/config';
import { recordCheckoutPayment } from '../../services/payments/record';
import { HttpError } from '../middleware/errors';

const log = getLogger('webhooks.stripe');

/**
 * `POST /webhooks/stripe`: the raw body is verified against `Stripe-Signature` with the endpoint
 * secret (HMAC compared in constant time by the SDK, with its 5-minute replay tolerance); a bad
 * or missing signature is a 400 and nothing is read. A verified event is recorded right here:
 * it is a handful of rows in one transaction (the e-mail and the write-back are jobs), so the
 * 200 means "recorded", and a failure is a 500 that Stripe retries — recording is idempotent.
 */
export function stripeWebhookRouter(app: AppContext): Router {
  const r = Router();
  r.post('/stripe', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const secret = app.config.STRIPE_WEBHOOK_SECRET;
    if (!paymentsEnabled(app) || !secret) throw new HttpError(404, 'not_found', 'Stripe is not configured');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.headers['stripe-signature'];
    let event: Stripe.Event;
    try {
      if (typeof signature !== 'string' || !signature) throw new Error('missing');
      event = Stripe.webhooks.constructEvent(body, signature, secret);
    } catch {
      log.warn({ bytes: body.length }, 'Stripe webhook with a bad or missing signature refused');
      throw new HttpError(400, 'bad_signature', 'the Stripe-Signature header does not match this payload');
    }
    const result = await recordCheckoutPayment(app, event);
    log.info({ eventId: event.id, type: event.type, outcome: result.outcome }, 'Stripe event');
    res.status(200).json({ received: true, outcome: result.outcome });
  });
  return r;
}
