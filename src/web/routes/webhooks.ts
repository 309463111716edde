import express, { Router } from 'express';
import type { AppContext } from '../../app/context';
import { receiveWebhook } from '../../services/webhooks/receive';
import { HttpError } from '../middleware/errors';
import { stripeWebhookRouter } from './stripeWebhook';

/** `/webhooks/:platform` — raw body, signature checked by the platform's connector, enqueue only. */
export function webhookRouter(app: AppContext): Router {
  const r = Router();
  r.use(stripeWebhookRouter(app));
  r.post('/:platform', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const platform = req.params.platform as string;
    if (!app.connectors.has(platform))
      throw new HttpError(404, 'not_found', `unknown platform "${platform}"`);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await receiveWebhook(app, platform, body, req.headers);
    if (result === 'unauthorized') {
      res.status(401).end();
      return;
    }
    // an empty 200 is what both Intuit and Xero (intent-to-receive) expect
    res.status(200).end();
  });
  return r;
}
