/**
 * A customer may open a few cases (promises, disputes, replies) per link and hour: each one
 * e-mails people and writes notes into the books, so a runaway form or script is stopped early.
 */
import type { Request, Response } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppContext } from '../../../app/context';
import { renderTooMany } from '../../middleware/portalAuth';
import { consume, createLimiter } from '../../middleware/throttle';

export const CASES_PER_HOUR = 30;

const limiters = new WeakMap<AppContext, RateLimiterAbstract>();

/**
 * One allowance per link shared by every case form (promise, dispute, reply): the limiter is made
 * once per app, so the in-memory store (no Redis) counts them together as Redis does.
 */
export function portalCasesLimiter(app: AppContext): RateLimiterAbstract {
  let limiter = limiters.get(app);
  if (!limiter) {
    limiter = createLimiter({
      keyPrefix: 'portal-cases',
      points: CASES_PER_HOUR,
      durationSec: 3600,
      redisUrl: app.config.REDIS_URL,
    });
    limiters.set(app, limiter);
  }
  return limiter;
}

/** True when the request may go on; otherwise the "slow down" page has been sent. */
export async function withinCaseLimit(
  limiter: RateLimiterAbstract,
  req: Request,
  res: Response,
): Promise<boolean> {
  const p = req.portal!;
  const wait = await consume(limiter, p.tokenId);
  if (wait === 0) return true;
  renderTooMany(res, wait, { name: p.firm.name, branding: p.firm.branding });
  return false;
}
