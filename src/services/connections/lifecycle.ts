import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { ConnectedTenant, OAuthTokens, Platform } from '../../../connectors/types';
import { connections } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { audit, type Actor } from '../audit';
import { NotFoundError, ValidationError } from '../errors';
import { connectorContext } from './context';
import { clearHoldIfHealthy } from './health';
import { openTokens, sealedTokenColumns } from './tokenStore';

const log = getLogger('connections');

/**
 * Create (or revive) the connection of one tenant with freshly obtained tokens, and fetch the
 * company name for the connection page. Reconnecting the same company reuses its row, so
 * synced records and history stay attached.
 */
export async function saveConnection(
  app: AppContext,
  scope: OrgScope,
  input: { platform: Platform; tenant: ConnectedTenant; tokens: OAuthTokens; grantKey?: string | null },
  actor: Actor,
): Promise<{ id: string; displayName: string | null; reconnected: boolean }> {
  const { platform, tenant, tokens } = input;
  const existing = await scope.select(
    connections,
    eq(connections.platform, platform),
    eq(connections.externalTenantId, tenant.externalTenantId),
  );
  let id = existing[0]?.id;
  if (!id) {
    const [row] = await scope
      .insert(connections, {
        platform,
        externalTenantId: tenant.externalTenantId,
        displayName: tenant.name,
        status: 'connected',
        connectedByUserId: actor.type === 'user' ? actor.id : null,
      })
      .returning({ id: connections.id });
    id = row!.id;
  }
  await scope.update(
    connections,
    {
      ...sealedTokenColumns(app.keyRing, id, tokens, null),
      status: 'connected',
      statusReason: null,
      grantKey: input.grantKey ?? null,
      updatedAt: new Date(),
    },
    eq(connections.id, id),
  );
  let displayName = tenant.name;
  try {
    displayName = await app.connectors.get(platform).fetchCompanyName(
      connectorContext(app, {
        id,
        organizationId: scope.organizationId,
        externalTenantId: tenant.externalTenantId,
        platform,
      }),
    );
    await scope.update(connections, { displayName }, eq(connections.id, id));
  } catch (e) {
    log.warn({ connectionId: id, err: (e as Error).message }, 'could not fetch the company name');
  }
  await clearHoldIfHealthy(app, scope.organizationId);
  await audit(
    scope,
    actor,
    existing[0] ? 'connection.reconnected' : 'connection.created',
    { type: 'connection', id },
    { platform, tenant: tenant.externalTenantId },
  );
  return { id, displayName, reconnected: Boolean(existing[0]) };
}

/** `duely connection add`: trade a refresh token at the platform's token endpoint and store the result. */
export async function addConnectionFromRefreshToken(
  app: AppContext,
  scope: OrgScope,
  input: { platform: string; externalTenantId: string; refreshToken: string },
  actor: Actor,
) {
  if (!app.connectors.has(input.platform))
    throw new ValidationError(
      `"${input.platform}" is not a configured platform (quickbooks or xero, with its credentials set)`,
      'platform',
    );
  if (!input.externalTenantId.trim())
    throw new ValidationError('is required', input.platform === 'xero' ? 'tenant-id' : 'realm-id');
  if (!input.refreshToken.trim()) throw new ValidationError('is required', 'refresh-token');
  const tokens = await app.connectors.get(input.platform).oauth.refresh(input.refreshToken.trim());
  return saveConnection(
    app,
    scope,
    {
      platform: input.platform,
      tenant: { externalTenantId: input.externalTenantId.trim(), name: null },
      tokens,
    },
    actor,
  );
}

export const newGrantKey = () => crypto.randomBytes(12).toString('hex');

/** Disconnect: revoke the grant at the platform, forget the tokens, keep the synced history. */
export async function disconnect(
  app: AppContext,
  scope: OrgScope,
  connectionId: string,
  actor: Actor,
): Promise<void> {
  if (!isUuid(connectionId)) throw new NotFoundError('connection');
  const [row] = await scope.select(connections, eq(connections.id, connectionId));
  if (!row) throw new NotFoundError('connection');
  const t = row.refreshTokenEnc ? openTokens(app.keyRing, row) : null;
  const siblings = row.grantKey
    ? await scope.select(
        connections,
        and(eq(connections.grantKey, row.grantKey), eq(connections.status, 'connected')),
      )
    : [];
  // a grant shared with other connected tenants is left alone; otherwise revoke it
  if (t?.refreshToken && siblings.filter((s) => s.id !== row.id).length === 0) {
    try {
      await app.connectors.get(row.platform).oauth.revoke(t.refreshToken);
    } catch (e) {
      log.warn({ connectionId, err: (e as Error).message }, 'revoke failed; tokens are forgotten anyway');
    }
  }
  await scope.update(
    connections,
    {
      status: 'disconnected',
      statusReason: 'disconnected by the firm',
      accessTokenEnc: null,
      refreshTokenEnc: null,
      previousRefreshTokenEnc: null,
      accessTokenExpiresAt: null,
      grantKey: null,
      updatedAt: new Date(),
    },
    eq(connections.id, connectionId),
  );
  await clearHoldIfHealthy(app, scope.organizationId);
  await audit(scope, actor, 'connection.disconnected', { type: 'connection', id: connectionId });
}
