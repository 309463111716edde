import { eq } from 'drizzle-orm';
import type { OAuthTokens } from '../../../connectors/types';
import type { KeyRing } from '../../crypto/keyRing';
import type { Queryable } from '../../db/client';
import { connections } from '../../db/schema';

/** Each sealed value is bound to its row and purpose (AAD), so a value copied elsewhere will not open. */
const ctx = (connectionId: string, kind: 'access' | 'refresh' | 'previous') =>
  `connection:${connectionId}:${kind}`;

export function sealedTokenColumns(
  keyRing: KeyRing,
  connectionId: string,
  tokens: OAuthTokens,
  previousRefreshToken: string | null,
) {
  return {
    accessTokenEnc: keyRing.seal(tokens.accessToken, ctx(connectionId, 'access')),
    refreshTokenEnc: keyRing.seal(tokens.refreshToken, ctx(connectionId, 'refresh')),
    previousRefreshTokenEnc: previousRefreshToken
      ? keyRing.seal(previousRefreshToken, ctx(connectionId, 'previous'))
      : null,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    tokenRefreshedAt: new Date(),
    scopes: tokens.scope ?? null,
  };
}

/** Store new tokens (the rotated refresh token is saved before anyone uses the access token). */
export async function storeTokens(
  db: Queryable,
  keyRing: KeyRing,
  connectionId: string,
  tokens: OAuthTokens,
  previousRefreshToken: string | null,
): Promise<void> {
  await db
    .update(connections)
    .set({
      ...sealedTokenColumns(keyRing, connectionId, tokens, previousRefreshToken),
      updatedAt: new Date(),
    })
    .where(eq(connections.id, connectionId));
}

export interface OpenedTokens {
  accessToken: string | null;
  refreshToken: string | null;
  previousRefreshToken: string | null;
  accessTokenExpiresAt: Date | null;
}

export function openTokens(keyRing: KeyRing, row: typeof connections.$inferSelect): OpenedTokens {
  return {
    accessToken: row.accessTokenEnc ? keyRing.open(row.accessTokenEnc, ctx(row.id, 'access')) : null,
    refreshToken: row.refreshTokenEnc ? keyRing.open(row.refreshTokenEnc, ctx(row.id, 'refresh')) : null,
    previousRefreshToken: row.previousRefreshTokenEnc
      ? keyRing.open(row.previousRefreshTokenEnc, ctx(row.id, 'previous'))
      : null,
    accessTokenExpiresAt: row.accessTokenExpiresAt,
  };
}
