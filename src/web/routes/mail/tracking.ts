/**
 * Tracking endpoints for reminder e-mails (opt-in per firm): `GET /t/o/<signed id>.gif` answers a
 * 1×1 GIF and records the first open; `GET /t/c/<signed id>?u=<signed url>` records the first click
 * and redirects — only to a URL signed for that very message, so it is no open redirect.
 */
import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { getLogger } from '../../../logging/logger';
import { verifyClickUrl, verifyMessageId } from '../../../mail/linkSigning';
import { recordClick, recordOpen } from '../../../services/delivery/tracking';

const log = getLogger('tracking');
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function trackingRouter(app: AppContext): Router {
  const r = Router();
  r.get('/t/o/:token.gif', async (req, res) => {
    const messageId = verifyMessageId(app.sessionSecret, 'open', req.params.token);
    if (!messageId) return res.status(404).type('text/plain').send('not found');
    await recordOpen(app, messageId).catch((err: unknown) =>
      log.warn({ err, messageId }, 'open not recorded'),
    );
    res.setHeader('Cache-Control', 'no-store, private');
    res.type('image/gif').send(PIXEL);
  });
  r.get('/t/c/:token', async (req, res) => {
    const messageId = verifyMessageId(app.sessionSecret, 'click', req.params.token);
    const u = typeof req.query.u === 'string' ? req.query.u : '';
    const target = messageId ? verifyClickUrl(app.sessionSecret, messageId, u) : null;
    if (!messageId || !target) return res.status(404).type('text/plain').send('This link does not work.');
    await recordClick(app, messageId, target).catch((err: unknown) =>
      log.warn({ err, messageId }, 'click not recorded'),
    );
    res.setHeader('Cache-Control', 'no-store, private');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(302, target);
  });
  return r;
}
