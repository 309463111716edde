/**
 * Intuit's OAuth server, emulated: authorization codes, access tokens (1 h), refresh tokens that
 * rotate on every use (the previous one stops working), revocation, userinfo.
 */
import crypto from 'node:crypto';

export interface Grant {
  id: string;
  realmId: string;
  scopes: string[];
  revoked: boolean;
  refreshToken: string;
  refreshExpiresAt: number;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
}

const rand = (prefix: string) => prefix + crypto.randomBytes(24).toString('base64url');

export class AuthServer {
  private readonly codes = new Map<
    string,
    { realmId: string; redirectUri: string; scopes: string[]; expiresAt: number }
  >();
  private readonly refresh = new Map<string, Grant>();
  private readonly access = new Map<string, AccessToken>();
  accessTokenTtlSeconds = 3600;
  readonly refreshTokenTtlSeconds = 8_726_400;
  /** Successful token-endpoint answers, by grant type (for tests of single-flight refresh). */
  readonly tokenRequests = { authorization_code: 0, refresh_token: 0 };

  constructor(
    readonly clientId: string,
    private readonly clientSecret: string,
    private readonly now: () => number = Date.now,
  ) {}

  checkClient(id: string | undefined, secret: string | undefined): boolean {
    const a = Buffer.from(`${id ?? ''}:${secret ?? ''}`);
    const b = Buffer.from(`${this.clientId}:${this.clientSecret}`);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }

  issueCode(realmId: string, redirectUri: string, scopes: string[]): string {
    const code = rand('AB11');
    this.codes.set(code, { realmId, redirectUri, scopes, expiresAt: this.now() + 5 * 60_000 });
    return code;
  }

  private newGrant(realmId: string, scopes: string[]): Grant {
    const grant: Grant = {
      id: crypto.randomUUID(),
      realmId,
      scopes,
      revoked: false,
      refreshToken: rand('RT1-'),
      refreshExpiresAt: this.now() + this.refreshTokenTtlSeconds * 1000,
    };
    this.refresh.set(grant.refreshToken, grant);
    return grant;
  }

  /** A grant created outside the browser flow (demo mode, benchmarks, tests). */
  issueRefreshToken(realmId: string, scopes = ['com.intuit.quickbooks.accounting']): string {
    return this.newGrant(realmId, scopes).refreshToken;
  }

  private tokenResponse(grant: Grant) {
    const accessToken = rand('eyJ');
    this.access.set(accessToken, { grant, expiresAt: this.now() + this.accessTokenTtlSeconds * 1000 });
    const body: Record<string, unknown> = {
      token_type: 'bearer',
      access_token: accessToken,
      refresh_token: grant.refreshToken,
      expires_in: this.accessTokenTtlSeconds,
      x_refresh_token_expires_in: Math.round((grant.refreshExpiresAt - this.now()) / 1000),
    };
    if (grant.scopes.includes('openid')) {
      const payload = Buffer.from(
        JSON.stringify({ sub: grant.id, realmid: grant.realmId, aud: [this.clientId] }),
      ).toString('base64url');
      body.id_token = `eyJhbGciOiJub25lIn0.${payload}.`;
    }
    return body;
  }

  exchangeCode(code: string, redirectUri: string): Record<string, unknown> | null {
    const c = this.codes.get(code);
    this.codes.delete(code);
    if (!c || c.expiresAt < this.now() || c.redirectUri !== redirectUri) return null;
    this.tokenRequests.authorization_code++;
    return this.tokenResponse(this.newGrant(c.realmId, c.scopes));
  }

  refreshGrant(refreshToken: string): Record<string, unknown> | null {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.revoked || grant.refreshExpiresAt < this.now()) return null;
    // rotate: the old refresh token is spent
    this.refresh.delete(refreshToken);
    grant.refreshToken = rand('RT1-');
    grant.refreshExpiresAt = this.now() + this.refreshTokenTtlSeconds * 1000;
    this.refresh.set(grant.refreshToken, grant);
    this.tokenRequests.refresh_token++;
    return this.tokenResponse(grant);
  }

  revoke(token: string): boolean {
    const grant = this.refresh.get(token) ?? this.access.get(token)?.grant;
    if (!grant) return false;
    grant.revoked = true;
    return true;
  }

  /** The grant behind a live access token, or why not. */
  authenticate(accessToken: string | undefined): Grant | 'expired' | 'unknown' {
    if (!accessToken) return 'unknown';
    const a = this.access.get(accessToken);
    if (!a || a.grant.revoked) return 'unknown';
    if (a.expiresAt < this.now()) return 'expired';
    return a.grant;
  }

  /** Expire every access token now (tests of the 401 → refresh path). */
  expireAccessTokens(): void {
    for (const a of this.access.values()) a.expiresAt = 0;
  }

  revokeAll(): void {
    for (const g of this.refresh.values()) g.revoked = true;
  }
}
