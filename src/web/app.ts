import crypto from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import session from 'express-session';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../app/context';
import { projectRoot } from '../util/paths';
import { configurePassport, loadOrganization } from './middleware/auth';
import { csrfLocals, csrfProtection } from './middleware/csrf';
import { caseUploads } from './middleware/multipart';
import { errorHandler, notFound } from './middleware/errors';
import { securityHeaders } from './middleware/security';
import { PgSessionStore } from './middleware/sessionStore';
import { consentOrigins } from './oauthOrigins';
import { createLimiter } from './middleware/throttle';
import { apiRouter } from './routes/api';
import { authRouter } from './routes/auth';
import { customersRouter } from './routes/customers';
import { dashboardRouter } from './routes/dashboard';
import { disputesRouter } from './routes/disputes';
import { healthRouter } from './routes/health';
import { homeRouter } from './routes/home';
import { outboxRouter } from './routes/mail/outbox';
import { trackingRouter } from './routes/mail/tracking';
import { unsubscribeRouter } from './routes/mail/unsubscribe';
import { onboardingRouter } from './routes/onboarding';
import { oauthRouter } from './routes/oauth';
import { portalRouter } from './routes/portal';
import { promisesRouter } from './routes/promises';
import { settingsRouter } from './routes/settings';
import { tasksRouter } from './routes/tasks';
import { viewLocals } from './viewLocals';
import { webhookRouter } from './routes/webhooks';
import { wizardRouter } from './routes/wizard';

export const SESSION_TTL_MS = 12 * 3600_000;

export interface WebOptions {
  /** Session lifetime (tests shorten it). */
  sessionTtlMs?: number;
}

/** The Express app: thin routes over services, one error handler, strict security headers. */
export function createWebApp(app: AppContext, opts: WebOptions = {}): Express {
  const web = express();
  const root = projectRoot();
  const https = app.config.BASE_URL.startsWith('https://');
  web.disable('x-powered-by');
  web.set('trust proxy', 1);
  web.set('view engine', 'ejs');
  web.set('views', path.join(root, 'views'));
  if (app.config.NODE_ENV === 'production') web.set('view cache', true);

  web.use(
    pinoHttp({
      logger: app.logger.child({ module: 'http' }),
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // the portal and invitation URLs carry secrets in the path: log the route, not the token
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  web.use(securityHeaders({ https, formTargets: consentOrigins(app) }));
  web.use(healthRouter(app));
  // webhooks read the raw body for signature checks: mounted before any body parser
  web.use('/webhooks', webhookRouter(app));
  web.use('/assets', express.static(path.join(root, 'views', 'assets'), { maxAge: '1h', index: false }));
  web.use(
    '/assets/vendor/chart.js',
    express.static(path.join(root, 'node_modules', 'chart.js', 'dist'), { maxAge: '1d', index: false }),
  );
  web.use('/api/v1', express.json({ limit: '1mb' }), apiRouter(app));
  // signed links in e-mails (one-click unsubscribe, tracking): no cookie, no session, so no CSRF —
  // the signature authenticates (RFC 8058 one-click POSTs come from mail clients)
  web.use(unsubscribeRouter(app));
  web.use(trackingRouter(app));

  const ttl = opts.sessionTtlMs ?? SESSION_TTL_MS;
  web.use(express.urlencoded({ extended: false, limit: '200kb' }));
  web.use(express.json({ limit: '200kb' }));
  web.use(
    session({
      name: 'duely.sid',
      secret: app.sessionSecret,
      store: new PgSessionStore(app.db, ttl),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: https, maxAge: ttl },
    }),
  );
  const passport = configurePassport(app);
  web.use(passport.initialize());
  web.use(passport.session());
  web.use(loadOrganization(app));
  // dispute forms carry a file: parsed before the CSRF check so the check reads their token
  web.use(['/portal/disputes', '/disputes'], caseUploads());
  web.use(csrfProtection);
  web.use(csrfLocals);
  web.use(viewLocals(app));

  const loginLimiter = createLimiter({
    keyPrefix: 'login',
    points: 5,
    durationSec: 15 * 60,
    blockSec: 15 * 60,
    redisUrl: app.config.REDIS_URL,
  });
  web.use(portalRouter(app));
  web.use(authRouter(app, passport, loginLimiter));
  web.use(oauthRouter(app));
  web.use(wizardRouter(app));
  web.use(homeRouter(app));
  web.use(dashboardRouter(app));
  web.use(disputesRouter(app));
  web.use(promisesRouter(app));
  web.use(tasksRouter(app));
  web.use(onboardingRouter(app));
  web.use(customersRouter(app));
  web.use('/settings/outbox', outboxRouter(app));
  web.use('/settings', settingsRouter(app));

  web.use(notFound);
  web.use(errorHandler);
  return web;
}

function redactUrl(url: string): string {
  return url
    .replace(/\/(portal|invite|p|u)\/[A-Za-z0-9_-]{16,}/g, '/$1/[redacted]')
    .replace(/([?&](token|code|state|u)=)[^&]+/g, '$1[redacted]');
}
