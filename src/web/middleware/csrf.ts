import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';

/**
 * CSRF on every form (synchronizer token in the session). The API (bearer tokens) and the
 * webhooks (signatures) are not cookie-authenticated and are exempt.
 */
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
  errorConfig: { statusCode: 403, code: 'EBADCSRFTOKEN', message: 'invalid csrf token' },
  skipCsrfProtection: (req) =>
    req.path.startsWith('/api/') ||
    req.path.startsWith('/webhooks/') ||
    req.path.startsWith('/healthz') ||
    req.path.startsWith('/readyz'),
});

export const csrfProtection: RequestHandler = csrfSynchronisedProtection;

/** Make `csrfToken` available to every view. */
export const csrfLocals: RequestHandler = (req, res, next) => {
  if (req.session) res.locals.csrfToken = generateToken(req);
  next();
};
