/**
 * The customer side: a portal session is opened by a magic link (`/p/<token>`) and remembers
 * only the token's row id. Every portal request re-checks that row, so a revoked or expired link
 * ends access at once; `req.portal` then carries the one customer of one firm the link is for.
 */
import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppContext } from '../../app/context';
import type { Branding } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { localDateOf } from '../../domain/calendar';
import { getLogger } from '../../logging/logger';
import { checkPortalSession } from '../../services/portal/access';
import { recordPortalVisit } from '../../services/portal/visits';
import { consume } from './throttle';

const log = getLogger('portal');

export interface PortalContext {
  tokenId: string;
  organizationId: string;
  customerId: string;
  contactId: string | null;
  /** Every portal query goes through this scope and filters by `customerId` as well. */
  scope: OrgScope;
  firm: { name: string; timezone: string; branding: Branding; settings: Record<string, unknown> };
  customer: { id: string; name: string; currency: string | null };
  /** The firm's local date today (days overdue are counted to it). */
  today: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      portal?: PortalContext;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** `visitKey` names this session on the timeline; `visitDay` is the last day a visit was recorded. */
    portal?: { tokenId: string; visitKey?: string; visitDay?: string };
    /** The firm of the last expired or revoked link seen: "send me a new link" searches there. */
    portalRenewal?: { organizationId: string };
  }
}

/** Loads `req.portal` from the session's token, or sends the visitor to the renewal page. */
export function requirePortal(app: AppContext): RequestHandler {
  return async (req, res, next) => {
    try {
      const tokenId = req.session.portal?.tokenId;
      if (!tokenId) {
        renderRenewal(res, 401, null, 'none');
        return;
      }
      const access = await checkPortalSession(app, tokenId);
      if (access.status !== 'ok') {
        delete req.session.portal;
        if (access.status === 'expired')
          req.session.portalRenewal = { organizationId: access.organizationId };
        renderRenewal(res, 401, access.status === 'expired' ? access.firm : null, 'expired');
        return;
      }
      const today = localDateOf(app.now(), access.firm.timezone);
      req.portal = {
        tokenId: access.tokenId,
        organizationId: access.organizationId,
        customerId: access.customerId,
        contactId: access.contactId,
        scope: new OrgScope(app.db, access.organizationId),
        firm: access.firm,
        customer: access.customer,
        today,
      };
      // a customer's account pages never stay in a shared browser's or proxy's cache
      res.setHeader('Cache-Control', 'no-store');
      Object.assign(res.locals, portalPageLocals(access.firm, {}));
      res.locals.customer = access.customer;
      res.locals.portalNav = { shown: false };
      await noteVisit(req, req.portal);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** One `portal.visit` on the timeline per session and day; a failure here never blocks the page. */
async function noteVisit(req: Request, portal: PortalContext): Promise<void> {
  const s = req.session.portal!;
  if (req.method !== 'GET' || s.visitDay === portal.today) return;
  s.visitKey ??= crypto.randomUUID();
  try {
    await recordPortalVisit(portal.scope, {
      customerId: portal.customerId,
      tokenId: portal.tokenId,
      visitKey: s.visitKey,
      day: portal.today,
      path: req.baseUrl + req.path,
    });
    s.visitDay = portal.today;
  } catch (err) {
    log.warn({ err, customerId: portal.customerId }, 'portal visit not recorded');
  }
}

/**
 * Per-link throttle for portal pages and actions (generous: a person never meets it). Keyed by
 * the session's token row, checked before any database work.
 */
export function portalThrottle(limiters: {
  pages: RateLimiterAbstract;
  actions: RateLimiterAbstract;
}): RequestHandler {
  return async (req, res, next) => {
    try {
      const tokenId = req.session.portal?.tokenId;
      if (!tokenId) return next();
      const limiter = req.method === 'GET' || req.method === 'HEAD' ? limiters.pages : limiters.actions;
      const wait = await consume(limiter, tokenId);
      if (wait > 0) return renderTooMany(res, wait, null);
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function renderTooMany(
  res: Response,
  waitSec: number,
  firm: { name: string; branding: Branding } | null,
): void {
  res.setHeader('Retry-After', String(waitSec));
  res
    .status(429)
    .render(
      'portal/rate-limited',
      portalPageLocals(firm, { title: 'Please slow down', minutes: Math.max(1, Math.ceil(waitSec / 60)) }),
    );
}

export function renderRenewal(
  res: Response,
  status: number,
  firm: { name: string; branding: Branding } | null,
  reason: 'expired' | 'unknown' | 'none',
  extra: Record<string, unknown> = {},
): void {
  res.status(status).render(
    'portal/expired',
    portalPageLocals(firm, {
      title: reason === 'unknown' ? 'Link not valid' : reason === 'none' ? 'Link needed' : 'Link expired',
      reason,
      email: '',
      error: null,
      ...extra,
    }),
  );
}

/** What every portal page's layout reads: the firm's name and branding (colour validated). */
export function portalPageLocals(
  firm: { name: string; branding: Branding } | null,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const color =
    firm?.branding.color && /^#[0-9a-fA-F]{6}$/.test(firm.branding.color) ? firm.branding.color : null;
  return {
    firm: firm ? { name: firm.name, color } : null,
    ...extra,
  };
}
