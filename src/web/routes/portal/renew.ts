/**
 * "Send me a new link" (outside the portal session: the visitor's link has expired). The answer
 * is the same page whether or not the address is on file; requests are limited per IP and per
 * address (an address over its limit gets the same answer and no e-mail).
 */
import { Router } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import { hashToken } from '../../../crypto/tokens';
import { renewPortalLink } from '../../../services/portal/renewal';
import { portalPageLocals, renderRenewal, renderTooMany } from '../../middleware/portalAuth';
import { consume } from '../../middleware/throttle';

const renewForm = z.object({ email: z.string().trim().max(320).pipe(z.email()) });

export function portalRenewRouter(
  app: AppContext,
  limiters: { ip: RateLimiterAbstract; address: RateLimiterAbstract },
): Router {
  const r = Router();

  r.get('/renew', (_req, res) => renderRenewal(res, 200, null, 'none'));

  r.post('/renew', async (req, res, next) => {
    try {
      const raw = typeof req.body?.email === 'string' ? req.body.email : '';
      const parsed = renewForm.safeParse({ email: raw });
      if (!parsed.success) {
        renderRenewal(res, 400, null, 'none', {
          email: raw.slice(0, 320),
          error: 'Enter the e-mail address we write to, such as name@example.com.',
        });
        return;
      }
      const wait = await consume(limiters.ip, req.ip ?? 'unknown');
      if (wait > 0) return renderTooMany(res, wait, null);
      const address = parsed.data.email.toLowerCase();
      const addressWait = await consume(limiters.address, hashToken(address));
      if (addressWait === 0)
        await renewPortalLink(app, {
          email: address,
          organizationId: req.session.portalRenewal?.organizationId ?? null,
        });
      res.status(200).render('portal/renew-sent', portalPageLocals(null, { title: 'Check your e-mail' }));
    } catch (err) {
      next(err);
    }
  });

  return r;
}
