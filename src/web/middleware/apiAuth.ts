import type { RequestHandler } from 'express';
import type { AppContext } from '../../app/context';
import { OrgScope } from '../../db/scope';
import { authenticateApiToken } from '../../services/apiTokens';
import { HttpError } from './errors';

/** `Authorization: Bearer <api token>` → the token's firm; 401 otherwise. */
export function apiAuth(app: AppContext): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m)
      return next(
        new HttpError(401, 'unauthenticated', 'send an API token as "Authorization: Bearer <token>"'),
      );
    const auth = await authenticateApiToken(app.db, m[1]!);
    if (!auth) return next(new HttpError(401, 'unauthenticated', 'the API token is invalid or revoked'));
    req.apiAuth = { ...auth, scope: new OrgScope(app.db, auth.organizationId) };
    next();
  };
}
