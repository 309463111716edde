/**
 * The customer portal. `/p/<token>` opens a portal session for the link's customer and redirects
 * to `/portal` (the token never stays in the address bar, history or Referer). Each area of the
 * portal is its own router below, all behind `requirePortal`.
 */
import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { resolvePortalToken } from '../../../services/portal/tokens';
import { portalPageLocals, requirePortal } from '../../middleware/portalAuth';
import { portalDisputesRouter } from './disputes';
import { portalInvoicesRouter } from './invoices';
import { portalPayRouter } from './pay';
import { portalPromisesRouter } from './promises';

export function portalRouter(app: AppContext): Router {
  const r = Router();

  r.get('/p/:token', async (req, res, next) => {
    try {
      const access = await resolvePortalToken(app, req.params.token);
      if (access.status !== 'ok') {
        res
          .status(access.status === 'expired' ? 401 : 404)
          .render('portal/expired', portalPageLocals(null, { title: 'Link expired', reason: access.status }));
        return;
      }
      // a new session id for the customer: no fixation from whatever cookie came with the request
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.portal = { tokenId: access.tokenId };
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, '/portal')));
      });
    } catch (err) {
      next(err);
    }
  });

  const portal = Router();
  portal.use(requirePortal(app));
  portal.use(portalInvoicesRouter(app));
  portal.use(portalPromisesRouter(app));
  portal.use(portalDisputesRouter(app));
  portal.use(portalPayRouter(app));
  r.use('/portal', portal);
  return r;
}
