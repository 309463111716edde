/**
 * The customer side: a portal session is opened by a magic link (`/p/<token>`) and remembers
 * only the token's row id. Every portal request re-checks that row, so a revoked or expired link
 * ends access at once; `req.portal` then carries the one customer of one firm the link is for.
 */
import { eq } from 'drizzle-orm';
import type { RequestHandler } from 'express';
import type { AppContext } from '../../app/context';
import { customers, organizations, portalTokens, type Branding } from '../../db/schema';
import { OrgScope } from '../../db/scope';

export interface PortalContext {
  tokenId: string;
  organizationId: string;
  customerId: string;
  contactId: string | null;
  /** Every portal query goes through this scope and filters by `customerId` as well. */
  scope: OrgScope;
  firm: { name: string; timezone: string; branding: Branding; settings: Record<string, unknown> };
  customer: { id: string; name: string; currency: string | null };
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
    portal?: { tokenId: string };
  }
}

/** Loads `req.portal` from the session's token, or sends the visitor to the renewal page. */
export function requirePortal(app: AppContext): RequestHandler {
  return async (req, res, next) => {
    try {
      const tokenId = req.session.portal?.tokenId;
      if (!tokenId) {
        res
          .status(401)
          .render('portal/expired', portalPageLocals(null, { title: 'Link needed', reason: 'none' }));
        return;
      }
      const [row] = await app.db
        .select({
          tokenId: portalTokens.id,
          organizationId: portalTokens.organizationId,
          customerId: portalTokens.customerId,
          contactId: portalTokens.contactId,
          expiresAt: portalTokens.expiresAt,
          revokedAt: portalTokens.revokedAt,
          firmName: organizations.name,
          timezone: organizations.timezone,
          branding: organizations.branding,
          settings: organizations.settings,
          customerName: customers.name,
          customerCurrency: customers.currency,
          customerDeleted: customers.deletedAt,
        })
        .from(portalTokens)
        .innerJoin(organizations, eq(organizations.id, portalTokens.organizationId))
        .innerJoin(customers, eq(customers.id, portalTokens.customerId))
        .where(eq(portalTokens.id, tokenId))
        .limit(1);
      if (!row || row.customerDeleted || row.revokedAt || row.expiresAt.getTime() <= app.now().getTime()) {
        delete req.session.portal;
        res.status(401).render(
          'portal/expired',
          portalPageLocals(row ? { name: row.firmName, branding: row.branding } : null, {
            title: 'Link expired',
            reason: 'expired',
          }),
        );
        return;
      }
      req.portal = {
        tokenId: row.tokenId,
        organizationId: row.organizationId,
        customerId: row.customerId,
        contactId: row.contactId,
        scope: new OrgScope(app.db, row.organizationId),
        firm: { name: row.firmName, timezone: row.timezone, branding: row.branding, settings: row.settings },
        customer: { id: row.customerId, name: row.customerName, currency: row.customerCurrency },
      };
      Object.assign(res.locals, portalPageLocals({ name: row.firmName, branding: row.branding }, {}));
      res.locals.customer = req.portal.customer;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** What every portal page's layout reads: the firm's name and branding (colour validated). */
export function portalPageLocals(
  firm: { name: string; branding: Branding } | null,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const color =
    firm?.branding.color && /^#[0-9a-fA-F]{6}$/.test(firm.branding.color) ? firm.branding.color : null;
  return {
    firm: firm ? { name: firm.name, logoUrl: safeLogo(firm.branding.logoUrl), color } : null,
    ...extra,
  };
}

function safeLogo(url: string | null | undefined): string | null {
  return url && /^https:\/\/[^\s"'<>]+$/.test(url) ? url : null;
}
