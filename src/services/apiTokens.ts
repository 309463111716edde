import { and, eq, isNull } from 'drizzle-orm';
import { hashToken, randomToken } from '../crypto/tokens';
import type { Db } from '../db/client';
import { apiTokens } from '../db/schema';
import { isUuid, type OrgScope } from '../db/scope';
import { audit, type Actor } from './audit';
import { ValidationError } from './errors';

const PREFIX = 'duely_';

/** Create an API token for the firm. The token is returned once; only its hash is stored. */
export async function createApiToken(
  scope: OrgScope,
  name: string,
  actor: Actor,
): Promise<{ id: string; token: string }> {
  const clean = name.trim();
  if (!clean || clean.length > 100) throw new ValidationError('must be 1-100 characters', 'name');
  const token = PREFIX + randomToken(32);
  const [row] = await scope
    .insert(apiTokens, {
      name: clean,
      tokenHash: hashToken(token),
      prefix: token.slice(0, PREFIX.length + 6),
      createdByUserId: actor.type === 'user' ? actor.id : null,
    })
    .returning({ id: apiTokens.id });
  await audit(scope, actor, 'api_token.created', { type: 'api_token', id: row!.id }, { name: clean });
  return { id: row!.id, token };
}

/** The firm and token id for a bearer token, or null. Looks up by hash (no timing on the token). */
export async function authenticateApiToken(
  db: Db,
  token: string,
): Promise<{ organizationId: string; tokenId: string } | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const [row] = await db
    .select({ id: apiTokens.id, organizationId: apiTokens.organizationId, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
  }
  return { organizationId: row.organizationId, tokenId: row.id };
}

export async function listApiTokens(scope: OrgScope) {
  return scope.db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(scope.where(apiTokens))
    .orderBy(apiTokens.createdAt);
}

export async function revokeApiToken(scope: OrgScope, id: string, actor: Actor): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await scope
    .update(apiTokens, { revokedAt: new Date() }, eq(apiTokens.id, id), isNull(apiTokens.revokedAt))
    .returning({ id: apiTokens.id });
  if (rows.length) await audit(scope, actor, 'api_token.revoked', { type: 'api_token', id });
  return rows.length > 0;
}
