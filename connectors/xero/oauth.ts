/**
 * Xero OAuth 2.0 / OpenID Connect with xero-node.
 *
 * xero-node hard-codes Xero's hosts in three places: `initialize()` discovers
 * `https://identity.xero.com`, `refreshWithRefreshToken()` posts to identity.xero.com, and
 * `updateTenants()` / `disconnect()` call api.xero.com. To honour `XERO_BASE_URL` we give each
 * fresh `XeroClient` an openid-client `Client` built from an issuer discovered at the base URL
 * (the same engine `initialize()` would build, just pointed at our origin), and we make the one
 * `GET /connections` call that `updateTenants(false)` makes ourselves with fetch.
 */
import { Issuer, custom, errors as oidcErrors, type BaseClient, type TokenSet } from 'openid-client';
import { XeroClient } from 'xero-node';

import {
  ConnectorError,
  needsReconnectError,
  permanentError,
  retryableError,
  validationError,
} from '../errors';
import type {
  AccountingConnector,
  ConnectedTenant,
  ExchangeResult,
  OAuthIdentity,
  OAuthTokens,
} from '../types';
import {
  XERO_IDENTITY_TIMEOUT_MS,
  XERO_REFRESH_TOKEN_TTL_DAYS,
  XERO_SCOPES,
  type XeroEndpoints,
} from './platform';
import { connectionsSchema } from './mapping/schemas';

export interface XeroOAuthOptions {
  clientId: string;
  clientSecret: string;
  endpoints: XeroEndpoints;
  httpTimeoutMs?: number;
}

type OidcClient = BaseClient & { validateIdToken(t: TokenSet): Promise<TokenSet> };

export function decodeJwtPayload(jwt: string): Record<string, unknown> | null {
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // not a JWT: the caller treats the claim as unknown
  }
}

/** Map an openid-client / network failure to a ConnectorError. */
export function mapIdentityError(e: unknown, what: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (e instanceof oidcErrors.OPError) {
    const status = e.response?.statusCode;
    const details = { platform: 'xero', status, code: e.error, cause: e };
    if (e.error === 'invalid_grant') return needsReconnectError(`${what}: invalid_grant`, details);
    if (e.error === 'invalid_client' || e.error === 'unauthorized_client')
      return permanentError(`${what}: ${e.error} (check XERO_CLIENT_ID/SECRET)`, details);
    if (status !== undefined && (status >= 500 || status === 429))
      return retryableError(`${what}: HTTP ${status}`, details);
    return permanentError(`${what}: ${e.error}`, details);
  }
  if (e instanceof oidcErrors.RPError) {
    // openid-client reports its own request timeout (xero-node's 3.5 s) as an RPError: the
    // response may have been lost after Xero rotated the token, so this is retryable (the token
    // manager retries with the previous refresh token inside Xero's 30-minute grace).
    if (/timed out/i.test(e.message))
      return retryableError(`${what}: timed out`, { platform: 'xero', code: 'timeout', cause: e });
    return permanentError(`${what}: ${e.message}`, { platform: 'xero', cause: e });
  }
  const code = (e as { code?: unknown } | null)?.code;
  return retryableError(`${what}: ${e instanceof Error ? e.message : String(e)}`, {
    platform: 'xero',
    code: typeof code === 'string' ? code : 'network',
    cause: e,
  });
}

function toTokens(t: TokenSet): OAuthTokens {
  if (!t.access_token || !t.refresh_token)
    throw permanentError('Xero token response without access_token/refresh_token', { platform: 'xero' });
  const expiresAt = t.expires_at ? t.expires_at * 1000 : Date.now() + 1800_000;
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    accessTokenExpiresAt: new Date(expiresAt),
    refreshTokenExpiresAt: new Date(Date.now() + XERO_REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    idToken: t.id_token ?? null,
    scope: t.scope ?? null,
  };
}

function identityFromIdToken(t: TokenSet): OAuthIdentity | null {
  if (!t.id_token) return null;
  const c = t.claims();
  const name =
    typeof c.name === 'string'
      ? c.name
      : [c.given_name, c.family_name].filter((x) => typeof x === 'string' && x).join(' ') || null;
  const subject = typeof c.xero_userid === 'string' ? c.xero_userid : c.sub;
  return { subject, email: typeof c.email === 'string' ? c.email : null, name };
}

export function createXeroOAuth(opts: XeroOAuthOptions): AccountingConnector['oauth'] {
  const timeout = opts.httpTimeoutMs ?? XERO_IDENTITY_TIMEOUT_MS;
  let issuer: Promise<Issuer<BaseClient>> | null = null;

  const discover = (): Promise<Issuer<BaseClient>> => {
    if (!issuer) {
      const pending = Issuer.discover(opts.endpoints.issuer);
      issuer = pending;
      // a failed discovery is not cached: the next call tries again
      pending.catch(() => {
        if (issuer === pending) issuer = null;
      });
    }
    return issuer;
  };

  /** A fresh XeroClient per call (the SDK's shared instances leak tokens across tenants). */
  const freshClient = async (redirectUri?: string): Promise<OidcClient> => {
    const iss = await discover();
    const xero = new XeroClient({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      redirectUris: redirectUri ? [redirectUri] : [],
      scopes: [...XERO_SCOPES.connect],
      httpTimeout: timeout,
    });
    const client = new iss.Client({
      client_id: opts.clientId,
      client_secret: opts.clientSecret,
      redirect_uris: redirectUri ? [redirectUri] : undefined,
      response_types: ['code'],
    });
    client[custom.http_options] = (_url, o) => ({ ...o, timeout });
    client[custom.clock_tolerance] = 5;
    xero.openIdClient = client;
    return xero.openIdClient as OidcClient;
  };

  const listTenants = async (accessToken: string): Promise<ConnectedTenant[]> => {
    let res: Response;
    try {
      res = await fetch(opts.endpoints.connections, {
        headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw mapIdentityError(e, 'Xero /connections');
    }
    if (res.status === 401 || res.status === 403)
      throw needsReconnectError(`Xero /connections: HTTP ${res.status}`, {
        platform: 'xero',
        status: res.status,
      });
    if (!res.ok)
      throw res.status >= 500 || res.status === 429
        ? retryableError(`Xero /connections: HTTP ${res.status}`, { platform: 'xero', status: res.status })
        : permanentError(`Xero /connections: HTTP ${res.status}`, { platform: 'xero', status: res.status });
    const parsed = connectionsSchema.safeParse(await res.json());
    if (!parsed.success)
      throw validationError(`Xero /connections: unexpected shape: ${parsed.error.message}`, {
        platform: 'xero',
      });
    return parsed.data
      .filter((c) => c.tenantType === 'ORGANISATION')
      .map((c) => ({
        externalTenantId: c.tenantId,
        name: c.tenantName ?? null,
        authEventId: c.authEventId ?? null,
      }));
  };

  return {
    authorizationUrl({ state, redirectUri, signIn }) {
      // Built by hand because the interface is synchronous and xero-node's buildConsentUrl()
      // needs discovery first; the parameters are exactly those openid-client would send.
      const scopes = signIn ? [...XERO_SCOPES.signIn, ...XERO_SCOPES.connect] : [...XERO_SCOPES.connect];
      const u = new URL(opts.endpoints.authorize);
      u.searchParams.set('response_type', 'code');
      u.searchParams.set('client_id', opts.clientId);
      u.searchParams.set('redirect_uri', redirectUri);
      u.searchParams.set('scope', scopes.join(' '));
      u.searchParams.set('state', state);
      return u.toString();
    },

    async exchangeCode({ callbackUrl, redirectUri }): Promise<ExchangeResult> {
      const client = await freshClient(redirectUri).catch((e: unknown) => {
        throw mapIdentityError(e, 'Xero discovery');
      });
      const params = client.callbackParams(callbackUrl);
      if (params.error)
        throw validationError(`Xero authorization failed: ${params.error}`, {
          platform: 'xero',
          code: params.error,
        });
      if (!params.code) throw validationError('Xero callback without a code', { platform: 'xero' });
      let tokenSet: TokenSet;
      try {
        // xero-node's apiCallback() picks callback() or oauthCallback() from the scopes it was
        // configured with, which a callback cannot know; we do the same two steps directly:
        // the code grant, then id_token validation when one came back (OpenID sign-in).
        tokenSet = await client.grant({
          grant_type: 'authorization_code',
          code: params.code,
          redirect_uri: redirectUri,
        });
        if (tokenSet.id_token) await client.validateIdToken(tokenSet);
      } catch (e) {
        throw mapIdentityError(e, 'Xero code exchange');
      }
      const tokens = toTokens(tokenSet);
      const all = await listTenants(tokens.accessToken);
      // The access token carries the authentication event of this grant; /connections lists
      // every tenant the user ever connected, each with the authEventId that added it.
      const authEventId = decodeJwtPayload(tokens.accessToken)?.authentication_event_id;
      const tenants =
        typeof authEventId === 'string' ? all.filter((t) => t.authEventId === authEventId) : all;
      return { tokens, tenants, identity: identityFromIdToken(tokenSet) };
    },

    async refresh(refreshToken: string): Promise<OAuthTokens> {
      try {
        const client = await freshClient();
        // grant() rather than refresh(): openid-client's refresh() validates a returned id_token
        // after Xero has already rotated the refresh token, so a validation hiccup there (JWKS
        // fetch, clock skew) would lose the new token. Identity is not needed on a refresh.
        return toTokens(await client.grant({ grant_type: 'refresh_token', refresh_token: refreshToken }));
      } catch (e) {
        throw mapIdentityError(e, 'Xero token refresh');
      }
    },

    async revoke(refreshToken: string): Promise<void> {
      try {
        const client = await freshClient();
        await client.revoke(refreshToken, 'refresh_token');
      } catch (e) {
        throw mapIdentityError(e, 'Xero revocation');
      }
    },

    listTenants,
  };
}
