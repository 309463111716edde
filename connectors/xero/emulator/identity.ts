/** The emulator's identity side: discovery, JWKS, authorize, token (with rotation), revocation. */
import crypto from 'node:crypto';

import { XERO_PATHS, XERO_REFRESH_GRACE_MS } from '../platform';

export interface Grant {
  authEventId: string;
  tenantIds: string[];
  scope: string;
  revoked: boolean;
  userId: string;
}

interface RefreshState {
  grant: Grant;
  /** Set when this token has been rotated: it still works until then (Xero's grace). */
  graceUntil: number | null;
}

export interface AccessState {
  grant: Grant;
  expiresAt: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class IdentityServer {
  private readonly keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly kid = crypto.randomBytes(8).toString('hex');
  private readonly codes = new Map<string, { grant: Grant; redirectUri: string; clientId: string }>();
  private readonly refresh = new Map<string, RefreshState>();
  readonly access = new Map<string, AccessState>();
  /** Tenants the next authorize grants (default: every tenant). */
  nextGrantTenants: string[] | null = null;
  accessTtlS = 1800;
  /** Test control: the next token responses are held this long (a "lost" response). */
  holdTokenResponses: { count: number; ms: number } = { count: 0, ms: 0 };
  /** Every grant, newest last (the connections list reads them). */
  readonly grants: Grant[] = [];

  constructor(
    readonly url: () => string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly allTenants: () => string[],
  ) {}

  discovery() {
    const u = this.url();
    return {
      issuer: u,
      authorization_endpoint: u + XERO_PATHS.authorize,
      token_endpoint: u + XERO_PATHS.token,
      revocation_endpoint: u + XERO_PATHS.revocation,
      jwks_uri: u + XERO_PATHS.jwks,
      userinfo_endpoint: u + '/connect/userinfo',
      scopes_supported: [
        'openid',
        'profile',
        'email',
        'offline_access',
        'accounting.transactions',
        'accounting.contacts',
        'accounting.settings',
      ],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    };
  }

  jwks() {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  private sign(payload: Record<string, unknown>): string {
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const body = b64url(JSON.stringify(payload));
    const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), this.keys.privateKey);
    return `${head}.${body}.${b64url(sig)}`;
  }

  newGrant(scope: string): Grant {
    const grant: Grant = {
      authEventId: crypto.randomUUID(),
      tenantIds: this.nextGrantTenants ?? this.allTenants(),
      scope,
      revoked: false,
      userId: 'd5b5e7e0-0f3a-4a37-9a52-0c2f8d1e7a11',
    };
    this.grants.push(grant);
    return grant;
  }

  /** GET /identity/connect/authorize: consent is given at once; redirect with code and state. */
  authorize(q: URLSearchParams): { status: number; location?: string; error?: string } {
    if (q.get('client_id') !== this.clientId) return { status: 400, error: 'unauthorized_client' };
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri || q.get('response_type') !== 'code') return { status: 400, error: 'invalid_request' };
    const code = crypto.randomBytes(16).toString('hex');
    this.codes.set(code, {
      grant: this.newGrant(q.get('scope') ?? ''),
      redirectUri,
      clientId: this.clientId,
    });
    const loc = new URL(redirectUri);
    loc.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) loc.searchParams.set('state', state);
    return { status: 302, location: loc.toString() };
  }

  /** A refresh token for a grant made without the browser (demo mode, `connection add`). */
  issueRefreshToken(tenantIds?: string[]): string {
    const grant = this.newGrant(
      'offline_access accounting.transactions accounting.contacts accounting.settings',
    );
    if (tenantIds) grant.tenantIds = tenantIds;
    const rt = crypto.randomBytes(24).toString('hex');
    this.refresh.set(rt, { grant, graceUntil: null });
    return rt;
  }

  private clientOk(auth: string | undefined, form: URLSearchParams): boolean {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    if (auth?.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    return id === this.clientId && secret === this.clientSecret;
  }

  private tokenSet(grant: Grant) {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = this.sign({
      iss: this.url(),
      aud: this.url() + '/resources',
      exp: now + this.accessTtlS,
      nbf: now,
      client_id: this.clientId,
      sub: grant.userId,
      xero_userid: grant.userId,
      authentication_event_id: grant.authEventId,
      jti: crypto.randomUUID(),
      scope: grant.scope.split(' '),
    });
    this.access.set(accessToken, { grant, expiresAt: (now + this.accessTtlS) * 1000 });
    const refreshToken = crypto.randomBytes(24).toString('hex');
    this.refresh.set(refreshToken, { grant, graceUntil: null });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: this.accessTtlS,
      token_type: 'Bearer',
      refresh_token: refreshToken,
      scope: grant.scope,
    };
    if (grant.scope.split(' ').includes('openid'))
      body.id_token = this.sign({
        iss: this.url(),
        aud: this.clientId,
        exp: now + 300,
        iat: now,
        nbf: now,
        auth_time: now,
        sub: grant.userId,
        xero_userid: grant.userId,
        email: 'owner@demo-firm.example',
        given_name: 'Dana',
        family_name: 'Owner',
        preferred_username: 'owner@demo-firm.example',
      });
    return body;
  }

  /** POST /connect/token. */
  token(auth: string | undefined, form: URLSearchParams): { status: number; body: Record<string, unknown> } {
    if (!this.clientOk(auth, form)) return { status: 401, body: { error: 'invalid_client' } };
    const type = form.get('grant_type');
    if (type === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!code || code.redirectUri !== form.get('redirect_uri'))
        return { status: 400, body: { error: 'invalid_grant' } };
      return { status: 200, body: this.tokenSet(code.grant) };
    }
    if (type === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      const st = this.refresh.get(rt);
      if (!st || st.grant.revoked || (st.graceUntil !== null && st.graceUntil < Date.now()))
        return { status: 400, body: { error: 'invalid_grant' } };
      // rotation: the old token keeps working for the grace period (a lost response is retried)
      if (st.graceUntil === null) st.graceUntil = Date.now() + XERO_REFRESH_GRACE_MS;
      return { status: 200, body: this.tokenSet(st.grant) };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  /** POST /connect/revocation: revokes the whole grant of a refresh token. */
  revoke(auth: string | undefined, form: URLSearchParams): number {
    if (!this.clientOk(auth, form)) return 401;
    const st = this.refresh.get(form.get('token') ?? '');
    if (st) st.grant.revoked = true;
    return 200;
  }

  /** The grant behind a bearer token, or null when invalid/expired/revoked. */
  bearer(header: string | undefined): AccessState | null {
    if (!header?.startsWith('Bearer ')) return null;
    const st = this.access.get(header.slice(7));
    if (!st || st.grant.revoked || st.expiresAt < Date.now()) return null;
    return st;
  }

  /** Test control: every access token issued so far stops working. */
  expireAccessTokens() {
    for (const st of this.access.values()) st.expiresAt = 0;
  }

  /** Test control: a refresh token's grant is revoked (as when the user disconnects in Xero). */
  revokeAll() {
    for (const g of this.grants) g.revoked = true;
  }

  /**
   * The organisation removes the app in Xero (Settings → Connected apps): the grant and its
   * tokens still work, but the API answers 403 for that tenant.
   */
  disconnectTenant(tenantId: string) {
    for (const g of this.grants) g.tenantIds = g.tenantIds.filter((t) => t !== tenantId);
  }
}
