import type { NextFunction, Request, RequestHandler, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AppContext } from '../../app/context';
import type { Role } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { membershipsOf, ROLE_RANK, verifyCredentials } from '../../services/users';
import { HttpError } from './errors';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
    interface Request {
      /** The firm the signed-in clerk is working in, with their role there. */
      org?: { id: string; name: string; slug: string; role: Role; scope: OrgScope };
      apiAuth?: { organizationId: string; tokenId: string; scope: OrgScope };
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    organizationId?: string;
    flash?: { type: 'success' | 'error' | 'info'; message: string }[];
    oauthState?: {
      state: string;
      platform: string;
      purpose: 'connect' | 'signin';
      createdAt: number;
      organizationId?: string;
    };
    pendingTenants?: {
      platform: string;
      tenants: { externalTenantId: string; name: string | null }[];
      tokenRef: string;
      createdAt: number;
    };
  }
}

export function configurePassport(app: AppContext): passport.PassportStatic {
  const p = new passport.Passport() as unknown as passport.PassportStatic;
  p.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      verifyCredentials(app.db, email, password).then(
        (user) => done(null, user ? { id: user.id, email: user.email, name: user.name } : false),
        done,
      );
    }),
  );
  p.serializeUser((user, done) => done(null, { id: user.id, email: user.email, name: user.name }));
  p.deserializeUser((user: SessionUser, done) => done(null, user));
  return p;
}

/** Loads the clerk's current firm and role (re-read on every request: a removed member loses access at once). */
export function loadOrganization(app: AppContext): RequestHandler {
  return async (req, _res, next) => {
    if (!req.user) return next();
    const list = await membershipsOf(app.db, req.user.id);
    const current = list.find((m) => m.organizationId === req.session.organizationId) ?? list[0];
    if (current) {
      req.session.organizationId = current.organizationId;
      req.org = {
        id: current.organizationId,
        name: current.organizationName,
        slug: current.slug,
        role: current.role,
        scope: new OrgScope(app.db, current.organizationId),
      };
    }
    next();
  };
}

export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user && req.org) return next();
  if (req.method === 'GET') {
    res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next(new HttpError(401, 'unauthenticated', 'sign in first'));
};

/** Role check for pages and forms: viewer < clerk < admin < owner. */
export function requireRole(min: Role): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.org) return next(new HttpError(401, 'unauthenticated', 'sign in first'));
    if (ROLE_RANK[req.org.role] < ROLE_RANK[min])
      return next(new HttpError(403, 'forbidden', `this needs the ${min} role or higher`));
    next();
  };
}

export function flash(req: Request, type: 'success' | 'error' | 'info', message: string): void {
  req.session.flash = [...(req.session.flash ?? []), { type, message }];
}
