import crypto from 'node:crypto';
import type { AppContext } from '../../app/context';
import type { ExchangeResult, OAuthTokens, Platform } from '../../../connectors/types';
import { safeEqual } from '../../crypto/tokens';
import type { Db } from '../../db/client';
import { OrgScope } from '../../db/scope';
import { createOrganization } from '../organizations';
import { findUserByEmail, membershipsOf } from '../users';
import { users, memberships } from '../../db/schema';
import { ValidationError } from '../errors';
import { newGrantKey, saveConnection } from './lifecycle';

/** State for one OAuth round trip, kept in the clerk's session. */
export interface OAuthState {
  state: string;
  platform: string;
  purpose: 'connect' | 'signin';
  createdAt: number;
  organizationId?: string;
}

const STATE_TTL_MS = 15 * 60_000;

export function newOAuthState(
  platform: string,
  purpose: OAuthState['purpose'],
  organizationId?: string,
): OAuthState {
  return {
    state: crypto.randomBytes(24).toString('base64url'),
    platform,
    purpose,
    createdAt: Date.now(),
    organizationId,
  };
}

/** The `state` that came back must be the one we sent, recent, for this platform. */
export function checkOAuthState(
  expected: OAuthState | undefined,
  platform: string,
  returned: unknown,
): OAuthState {
  if (
    !expected ||
    typeof returned !== 'string' ||
    expected.platform !== platform ||
    !safeEqual(expected.state, returned) ||
    Date.now() - expected.createdAt > STATE_TTL_MS
  ) {
    throw new ValidationError(
      'the sign-in with the platform expired or did not start here; please try again',
    );
  }
  return expected;
}

export const redirectUri = (app: AppContext, platform: string) =>
  `${app.config.BASE_URL}/connections/${platform}/callback`;

/** Tokens waiting for the clerk to choose tenants are kept sealed, never in clear in the session. */
export function sealPending(app: AppContext, tokens: OAuthTokens): string {
  return app.keyRing.seal(JSON.stringify(tokens), 'oauth:pending');
}

export function openPending(app: AppContext, sealed: string): OAuthTokens {
  const t = JSON.parse(app.keyRing.open(sealed, 'oauth:pending')) as OAuthTokens & {
    accessTokenExpiresAt: string;
    refreshTokenExpiresAt: string | null;
  };
  return {
    ...t,
    accessTokenExpiresAt: new Date(t.accessTokenExpiresAt),
    refreshTokenExpiresAt: t.refreshTokenExpiresAt ? new Date(t.refreshTokenExpiresAt) : null,
  };
}

/** Tenants this very grant added (Xero marks them with the grant's authEventId). */
export function tenantsOfGrant(result: ExchangeResult) {
  const withEvent = result.tenants.filter((t) => t.authEventId);
  if (!withEvent.length) return result.tenants;
  const latest = withEvent[withEvent.length - 1]!.authEventId;
  return withEvent.filter((t) => t.authEventId === latest);
}

/** Connect the chosen tenants of one grant to the firm (one connection per tenant, shared tokens). */
export async function connectTenants(
  app: AppContext,
  organizationId: string,
  platform: Platform,
  tokens: OAuthTokens,
  tenants: { externalTenantId: string; name: string | null }[],
  userId: string | null,
) {
  const scope = new OrgScope(app.db, organizationId);
  const grantKey = tenants.length > 1 ? newGrantKey() : null;
  const out = [];
  for (const tenant of tenants)
    out.push(
      await saveConnection(
        app,
        scope,
        { platform, tenant, tokens, grantKey },
        { type: userId ? 'user' : 'system', id: userId },
      ),
    );
  return out;
}

/**
 * "Sign in with Intuit" / "Sign up with Xero": the platform vouches for the e-mail. A known
 * user is signed in; otherwise a firm named after the company is created with them as owner.
 */
export async function signInWithPlatform(
  app: AppContext,
  identity: { email: string | null; name: string | null },
  companyName: string | null,
) {
  if (!identity.email)
    throw new ValidationError(
      'the platform did not share a verified e-mail address; sign up with e-mail instead',
    );
  const existing = await findUserByEmail(app.db, identity.email);
  if (existing) {
    const list = await membershipsOf(app.db, existing.id);
    if (list.length) return { user: existing, organizationId: list[0]!.organizationId, created: false };
  }
  return app.db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const org = await createOrganization(t, {
      name: companyName || `${identity.name ?? identity.email}'s firm`,
    });
    let user = existing;
    if (!user)
      [user] = await t
        .insert(users)
        .values({ email: identity.email!.toLowerCase(), name: identity.name, passwordHash: null })
        .returning();
    await t.insert(memberships).values({ organizationId: org.id, userId: user!.id, role: 'owner' });
    return { user: user!, organizationId: org.id, created: true };
  });
}
