import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context';
import { SYNC_CONNECTION_JOB } from '../../../jobs/definitions/syncConnection';
import type { Platform } from '../../../connectors/types';
import { and, eq } from 'drizzle-orm';
import { connections } from '../../db/schema';
import { ServiceError } from '../../services/errors';
import {
  checkOAuthState,
  connectTenants,
  newOAuthState,
  openPending,
  redirectUri,
  sealPending,
  signInWithPlatform,
  tenantsOfGrant,
} from '../../services/connections/oauthFlow';
import { disconnect } from '../../services/connections/lifecycle';
import { grantIsAlive } from '../../services/connections/tokenManager';
import { flash, requireRole, requireUser } from '../middleware/auth';
import { ROLE_RANK, roleIn } from '../../services/users';
import { returnToWizardAfterConnect, takeWizardReturn } from '../wizardReturn';

const PENDING_TTL_MS = 15 * 60_000;

async function startFirstSyncs(app: AppContext, organizationId: string, ids: string[]) {
  for (const id of ids) {
    await app.queue.enqueue(
      SYNC_CONNECTION_JOB,
      { organizationId, connectionId: id, mode: 'full', trigger: 'connect' },
      { jobId: `first-sync-${id}-${Date.now()}` },
    );
  }
}

function login(req: Request, user: { id: string; email: string; name: string | null }): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((err) =>
      err ? reject(err) : req.login(user, (e) => (e ? reject(e) : resolve())),
    ),
  );
}

/**
 * The platforms' redirect targets: the OAuth callback (connect and sign-in), the tenant chooser
 * for a grant that covers several organisations, "Sign in with Intuit" / "Sign up with Xero",
 * and Intuit's disconnect landing page.
 */
export function oauthRouter(app: AppContext): Router {
  const r = Router();

  // POST from Duely's sign-in page; GET is the launch URL the app stores open ("Get app now" in
  // Intuit's App Store, Xero's App Store sign-up): it only sends the visitor to the platform's
  // consent with a fresh state, which the callback checks
  const startSignIn = (req: Request, res: Response) => {
    const platform = req.params.platform as string;
    const connector = app.connectors.get(platform);
    const state = newOAuthState(platform, 'signin');
    req.session.oauthState = state;
    req.session.save(() =>
      res.redirect(
        connector.oauth.authorizationUrl({
          state: state.state,
          redirectUri: redirectUri(app, platform),
          signIn: true,
        }),
      ),
    );
  };
  r.post('/auth/:platform/signin', startSignIn);
  r.get('/auth/:platform/signin', startSignIn);

  r.get('/connections/:platform/callback', async (req, res) => {
    const platform = req.params.platform as Platform;
    const connector = app.connectors.get(platform);
    const fail = (message: string) => {
      if (req.user) {
        flash(req, 'error', message);
        return res.redirect('/settings/connections');
      }
      return res.status(400).render('pages/error', { title: 'Connection failed', status: 400, message });
    };
    if (typeof req.query.error === 'string')
      return fail(
        req.query.error === 'access_denied'
          ? 'The connection was cancelled.'
          : `The platform answered: ${req.query.error}`,
      );
    let expected;
    try {
      expected = checkOAuthState(req.session.oauthState, platform, req.query.state);
    } catch (e) {
      return fail((e as Error).message);
    }
    delete req.session.oauthState;
    let result;
    try {
      result = await connector.oauth.exchangeCode({
        callbackUrl: `${app.config.BASE_URL}${req.originalUrl}`,
        redirectUri: redirectUri(app, platform),
      });
    } catch (e) {
      req.log.warn({ err: (e as Error).message, platform }, 'OAuth code exchange failed');
      return fail('The platform did not accept the connection. Please try again.');
    }
    let organizationId = expected.organizationId;
    let userId = req.user?.id ?? null;
    if (expected.purpose === 'signin') {
      const tenants = tenantsOfGrant(result);
      const signed = await signInWithPlatform(
        app,
        result.identity ?? { email: null, name: null },
        tenants[0]?.name ?? null,
      );
      await login(req, { id: signed.user.id, email: signed.user.email, name: signed.user.name });
      req.session.organizationId = signed.organizationId;
      // a firm new to Duely continues in the setup wizard
      if (signed.created) returnToWizardAfterConnect(req);
      organizationId = signed.organizationId;
      userId = signed.user.id;
      // signing in is for everyone; connecting books stays with the firm's admins
      const role = signed.created ? 'owner' : await roleIn(app.db, signed.user.id, signed.organizationId);
      if (!role || ROLE_RANK[role] < ROLE_RANK.admin) {
        flash(req, 'info', 'Signed in. Connecting your books is for your firm’s admins.');
        return res.redirect('/');
      }
    } else if (!req.user || !organizationId || (await roleIn(app.db, req.user.id, organizationId)) === null) {
      return fail('Sign in to Duely before connecting your books.');
    }
    const tenants = tenantsOfGrant(result);
    if (tenants.length === 0) return fail('The grant covers no company. Choose one when the platform asks.');
    if (tenants.length > 1) {
      req.session.pendingTenants = {
        platform,
        tenants: tenants.map((t) => ({ externalTenantId: t.externalTenantId, name: t.name })),
        tokenRef: sealPending(app, result.tokens),
        createdAt: Date.now(),
      };
      return req.session.save(() => res.redirect('/connections/choose'));
    }
    const saved = await connectTenants(app, organizationId!, platform, result.tokens, tenants, userId);
    await startFirstSyncs(
      app,
      organizationId!,
      saved.map((s) => s.id),
    );
    flash(
      req,
      'success',
      `Connected ${saved[0]!.displayName ?? 'your company'}. The first sync has started.`,
    );
    res.redirect(takeWizardReturn(req) ?? '/settings/connections');
  });

  r.get('/connections/choose', requireUser, requireRole('admin'), (req, res) => {
    const pending = req.session.pendingTenants;
    if (!pending || Date.now() - pending.createdAt > PENDING_TTL_MS)
      return res.redirect('/settings/connections');
    res.render('pages/settings/chooseTenants', { title: 'Choose organisations', pending });
  });

  r.post('/connections/choose', requireUser, requireRole('admin'), async (req, res) => {
    const pending = req.session.pendingTenants;
    if (!pending || Date.now() - pending.createdAt > PENDING_TTL_MS) {
      flash(req, 'error', 'That choice expired; connect again.');
      return res.redirect('/settings/connections');
    }
    const raw = (req.body as Record<string, unknown>).tenant;
    const chosen = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    const tenants = pending.tenants.filter((t) => chosen.includes(t.externalTenantId));
    if (!tenants.length) {
      flash(req, 'error', 'Choose at least one organisation.');
      return res.redirect('/connections/choose');
    }
    delete req.session.pendingTenants;
    const saved = await connectTenants(
      app,
      req.org!.id,
      pending.platform as Platform,
      openPending(app, pending.tokenRef),
      tenants,
      req.user!.id,
    );
    await startFirstSyncs(
      app,
      req.org!.id,
      saved.map((s) => s.id),
    );
    flash(
      req,
      'success',
      `Connected ${saved.map((s) => s.displayName ?? 'a company').join(', ')}. The first sync has started.`,
    );
    res.redirect(takeWizardReturn(req) ?? '/settings/connections');
  });

  /**
   * Intuit opens this after the firm disconnects Duely from within QuickBooks. A plain link could
   * open it too, so the platform is asked first: only a grant it no longer honours is disconnected.
   */
  r.get('/connections/quickbooks/disconnected', async (req, res) => {
    const realmId = typeof req.query.realmId === 'string' ? req.query.realmId : null;
    let stillConnected: string | null = null;
    if (req.org && realmId) {
      const [conn] = await req.org.scope.select(
        connections,
        and(eq(connections.platform, 'quickbooks'), eq(connections.externalTenantId, realmId)),
      );
      if (conn && conn.status !== 'disconnected') {
        if (conn.status === 'connected' && (await grantIsAlive(app, conn.id)))
          stillConnected = conn.displayName ?? realmId;
        else
          try {
            await disconnect(app, req.org.scope, conn.id, { type: 'user', id: req.user?.id ?? null });
          } catch (e) {
            if (!(e instanceof ServiceError)) throw e;
          }
      }
    }
    res.render('pages/disconnected', { title: 'Disconnected from QuickBooks', stillConnected });
  });
  return r;
}
