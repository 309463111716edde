/**
 * OAuth 2.0 with Intuit, over `intuit-oauth`.
 *
 * intuit-oauth keeps its endpoint URLs in static fields of the OAuthClient constructor, read
 * synchronously when a request is built (inside each method's Promise executor). To honour a
 * per-connector base URL without leaking it to other instances, every call sets the statics,
 * starts the request and restores them in the same synchronous turn (`withEndpoints`).
 * intuit-oauth retries 429/5xx on the token endpoint itself, so nothing here retries again.
 */
import OAuthClient from 'intuit-oauth';
import { z } from 'zod';
import type { AccountingConnector, ExchangeResult, OAuthIdentity, OAuthTokens } from '../types';
import { ConnectorError } from '../errors';
import {
  QUICKBOOKS_SCOPES,
  quickBooksEndpoints,
  type QuickBooksEndpoints,
  type QuickBooksEnvironment,
} from './platform';

export interface QuickBooksOAuthOptions {
  clientId: string;
  clientSecret: string;
  environment: QuickBooksEnvironment;
  baseUrl?: string | null;
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  x_refresh_token_expires_in: z.coerce.number().positive().optional(),
  id_token: z.string().optional().nullable(),
  scope: z.string().optional().nullable(),
});

const userInfoSchema = z.object({
  sub: z.string().min(1),
  email: z.string().optional().nullable(),
  emailVerified: z.boolean().optional().nullable(),
  givenName: z.string().optional().nullable(),
  familyName: z.string().optional().nullable(),
});

type Statics = Pick<
  typeof OAuthClient,
  | 'authorizeEndpoint'
  | 'tokenEndpoint'
  | 'revokeEndpoint'
  | 'userinfo_endpoint_production'
  | 'userinfo_endpoint_sandbox'
>;

/** Run `fn` with intuit-oauth's endpoints pointed at `ep`; restored before returning. */
function withEndpoints<T>(ep: QuickBooksEndpoints, fn: () => T): T {
  const saved: Statics = {
    authorizeEndpoint: OAuthClient.authorizeEndpoint,
    tokenEndpoint: OAuthClient.tokenEndpoint,
    revokeEndpoint: OAuthClient.revokeEndpoint,
    userinfo_endpoint_production: OAuthClient.userinfo_endpoint_production,
    userinfo_endpoint_sandbox: OAuthClient.userinfo_endpoint_sandbox,
  };
  OAuthClient.authorizeEndpoint = ep.authorize;
  OAuthClient.tokenEndpoint = ep.token;
  OAuthClient.revokeEndpoint = ep.revoke;
  OAuthClient.userinfo_endpoint_production = ep.userinfo;
  OAuthClient.userinfo_endpoint_sandbox = ep.userinfo;
  try {
    return fn();
  } finally {
    Object.assign(OAuthClient, saved);
  }
}

interface IntuitOAuthFailure {
  error?: unknown;
  error_description?: unknown;
  code?: unknown;
  authResponse?: { response?: { status?: number } } | '';
  originalMessage?: unknown;
  message?: unknown;
}

/** intuit-oauth's wrapped errors → ConnectorError. `invalid_grant` means the grant is gone. */
export function mapOAuthError(e: unknown, what: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as IntuitOAuthFailure;
  const code = typeof err.error === 'string' ? err.error : '';
  const status =
    err.authResponse && typeof err.authResponse === 'object' ? err.authResponse.response?.status : undefined;
  const details = { platform: 'quickbooks', status, code: code || undefined };
  if (code === 'invalid_grant') {
    return new ConnectorError('needs_reconnect', `${what}: the QuickBooks grant is no longer valid`, details);
  }
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    return new ConnectorError(
      'permanent',
      `${what}: QuickBooks rejected the app credentials (${code})`,
      details,
    );
  }
  if (status !== undefined && status === 429) {
    return new ConnectorError('rate_limited', `${what}: rate limited`, { ...details, retryAfterMs: 60_000 });
  }
  if (status !== undefined && status >= 500) {
    return new ConnectorError('retryable', `${what}: QuickBooks answered ${status}`, details);
  }
  if (status !== undefined && status >= 400) {
    return new ConnectorError('permanent', `${what}: QuickBooks answered ${status} ${code}`.trim(), details);
  }
  // no HTTP answer at all: network trouble
  const message =
    typeof err.originalMessage === 'string' && err.originalMessage
      ? err.originalMessage
      : String(err.message ?? e);
  return new ConnectorError('retryable', `${what}: ${message}`, { ...details, cause: e });
}

export function tokensFromResponse(json: unknown, now = new Date()): OAuthTokens {
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConnectorError('permanent', 'QuickBooks token response has an unexpected shape', {
      platform: 'quickbooks',
    });
  }
  const t = parsed.data;
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    accessTokenExpiresAt: new Date(now.getTime() + t.expires_in * 1000),
    refreshTokenExpiresAt:
      t.x_refresh_token_expires_in !== undefined
        ? new Date(now.getTime() + t.x_refresh_token_expires_in * 1000)
        : null,
    idToken: t.id_token ?? null,
    scope: t.scope ?? null,
  };
}

export type QuickBooksOAuth = AccountingConnector['oauth'] & {
  userInfo(accessToken: string): Promise<OAuthIdentity>;
};

export function createQuickBooksOAuth(opts: QuickBooksOAuthOptions): QuickBooksOAuth {
  const endpoints = quickBooksEndpoints(opts.environment, opts.baseUrl);
  const client = (redirectUri?: string, token?: { access_token: string }) =>
    new OAuthClient({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      environment: opts.environment,
      redirectUri: redirectUri ?? '',
      logging: false,
      ...(token ? { token } : {}),
    });

  async function userInfo(accessToken: string): Promise<OAuthIdentity> {
    const c = client(undefined, { access_token: accessToken });
    let res;
    try {
      res = await withEndpoints(endpoints, () => c.getUserInfo());
    } catch (e) {
      throw mapOAuthError(e, 'userinfo');
    }
    const parsed = userInfoSchema.safeParse(res.getJson());
    if (!parsed.success) {
      throw new ConnectorError('permanent', 'QuickBooks userinfo has an unexpected shape', {
        platform: 'quickbooks',
      });
    }
    const u = parsed.data;
    const name = [u.givenName, u.familyName].filter((x): x is string => !!x).join(' ');
    // an address Intuit has not verified proves nothing: "Sign in with Intuit" would otherwise
    // sign a stranger in as the Duely user who owns it
    return { subject: u.sub, email: u.emailVerified === true ? (u.email ?? null) : null, name: name || null };
  }

  return {
    authorizationUrl({ state, redirectUri, signIn }) {
      const scope = [...(signIn ? QUICKBOOKS_SCOPES.signIn : QUICKBOOKS_SCOPES.connect)];
      return withEndpoints(endpoints, () => client(redirectUri).authorizeUri({ scope, state }));
    },

    async exchangeCode({ callbackUrl, redirectUri }): Promise<ExchangeResult> {
      const params = new URL(callbackUrl, 'http://callback.invalid').searchParams;
      const error = params.get('error');
      if (error) {
        throw new ConnectorError(
          error === 'access_denied' ? 'permanent' : 'validation',
          `authorization failed: ${error}`,
          {
            platform: 'quickbooks',
            code: error,
          },
        );
      }
      const code = params.get('code');
      const realmId = params.get('realmId');
      if (!code || !realmId) {
        throw new ConnectorError('validation', 'callback URL lacks code or realmId', {
          platform: 'quickbooks',
        });
      }
      const c = client(redirectUri);
      let json: unknown;
      try {
        const res = await withEndpoints(endpoints, () => c.createToken(callbackUrl));
        json = res.getJson();
      } catch (e) {
        throw mapOAuthError(e, 'code exchange');
      }
      const tokens = tokensFromResponse(json);
      // Intuit returns an id_token only when OpenID scopes were granted.
      const identity = tokens.idToken ? await userInfo(tokens.accessToken) : null;
      return { tokens, tenants: [{ externalTenantId: realmId, name: null }], identity };
    },

    async refresh(refreshToken: string): Promise<OAuthTokens> {
      const c = client();
      try {
        const res = await withEndpoints(endpoints, () => c.refreshUsingToken(refreshToken));
        return tokensFromResponse(res.getJson());
      } catch (e) {
        throw mapOAuthError(e, 'token refresh');
      }
    },

    async revoke(refreshToken: string): Promise<void> {
      const c = client();
      try {
        await withEndpoints(endpoints, () => c.revoke({ refresh_token: refreshToken }));
      } catch (e) {
        const mapped = mapOAuthError(e, 'revoke');
        // a grant that is already gone is what revoking wants
        if (mapped.kind === 'needs_reconnect') return;
        throw mapped;
      }
    },

    listTenants(): Promise<[]> {
      // QuickBooks grants one realm, given on the callback; there is nothing to list.
      return Promise.resolve([]);
    },

    userInfo,
  };
}
