/**
 * The customer portal. `/p/<token>` opens a portal session for the link's customer and redirects
 * to `/portal` (the token never stays in the address bar, history or Referer). Each area of the
 * portal is its own router below, all behind `requirePortal` and a per-link throttle. Outside
 * them: the renewal form ("send me a new link") and the firm-colour stylesheet.
 */
import crypto from 'node:crypto';
import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { resolvePortalToken } from '../../../services/portal/tokens';
import { portalThrottle, renderRenewal, renderTooMany, requirePortal } from '../../middleware/portalAuth';
import { consume, createLimiter } from '../../middleware/throttle';
import { portalAccountRouter } from './account';
import { brandStylesheet } from './brand';
import { portalDisputesRouter } from './disputes';
import { portalInvoicesRouter } from './invoices';
import { portalPayRouter } from './pay';
import { portalPreferencesRouter } from './preferences';
import { portalPromisesRouter } from './promises';
import { portalRenewRouter } from './renew';

/** Portal rate limits (per link for pages and actions; per address and per IP for links). */
export const PORTAL_LIMITS = {
  pagesPerMinute: 240,
  actionsPer10Minutes: 60,
  linkOpensPerIpPer15Minutes: 60,
  renewalsPerIpPerHour: 10,
  renewalsPerAddressPerHour: 3,
} as const;

export function portalRouter(app: AppContext): Router {
  const r = Router();
  const redisUrl = app.config.REDIS_URL;
  const limiters = {
    pages: createLimiter({
      keyPrefix: 'portal-pages',
      points: PORTAL_LIMITS.pagesPerMinute,
      durationSec: 60,
      redisUrl,
    }),
    actions: createLimiter({
      keyPrefix: 'portal-actions',
      points: PORTAL_LIMITS.actionsPer10Minutes,
      durationSec: 600,
      redisUrl,
    }),
    linkOpens: createLimiter({
      keyPrefix: 'portal-open',
      points: PORTAL_LIMITS.linkOpensPerIpPer15Minutes,
      durationSec: 900,
      redisUrl,
    }),
    renewIp: createLimiter({
      keyPrefix: 'portal-renew-ip',
      points: PORTAL_LIMITS.renewalsPerIpPerHour,
      durationSec: 3600,
      redisUrl,
    }),
    renewAddress: createLimiter({
      keyPrefix: 'portal-renew-addr',
      points: PORTAL_LIMITS.renewalsPerAddressPerHour,
      durationSec: 3600,
      redisUrl,
    }),
  };

  r.get('/portal-brand.css', brandStylesheet);

  r.get('/p/:token', async (req, res, next) => {
    try {
      const wait = await consume(limiters.linkOpens, req.ip ?? 'unknown');
      if (wait > 0) return renderTooMany(res, wait, null);
      const access = await resolvePortalToken(app, req.params.token);
      if (access.status !== 'ok') {
        delete req.session.portal;
        if (access.status === 'expired')
          req.session.portalRenewal = { organizationId: access.organizationId };
        renderRenewal(res, access.status === 'expired' ? 401 : 404, null, access.status);
        return;
      }
      // a new session id for the customer: no fixation from whatever cookie came with the request
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.portal = { tokenId: access.tokenId, visitKey: crypto.randomUUID() };
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, '/portal')));
      });
    } catch (err) {
      next(err);
    }
  });

  r.use('/portal', portalRenewRouter(app, { ip: limiters.renewIp, address: limiters.renewAddress }));

  const portal = Router();
  portal.use(portalThrottle({ pages: limiters.pages, actions: limiters.actions }));
  portal.use(requirePortal(app));
  portal.use(portalInvoicesRouter(app));
  portal.use(portalAccountRouter(app));
  portal.use(portalPreferencesRouter(app));
  portal.use(portalPromisesRouter(app));
  portal.use(portalDisputesRouter(app));
  portal.use(portalPayRouter(app));
  r.use('/portal', portal);
  return r;
}
