import type { AppContext } from '../../app/context';
import type { ConnectorContext } from '../../../connectors/types';
import type { connections } from '../../db/schema';
import { getAccessToken } from './tokenManager';

/** What a connector gets for one connection: tenant, tokens on demand, a logger, counters. */
export function connectorContext(
  app: AppContext,
  conn: Pick<typeof connections.$inferSelect, 'id' | 'organizationId' | 'externalTenantId' | 'platform'>,
  signal?: AbortSignal,
): ConnectorContext {
  let lastToken: string | undefined;
  return {
    connectionId: conn.id,
    organizationId: conn.organizationId,
    externalTenantId: conn.externalTenantId,
    async getAccessToken(force = false) {
      lastToken = await getAccessToken(app, conn.id, force, force ? lastToken : undefined);
      return lastToken;
    },
    logger: app.logger.child({ module: `connector.${conn.platform}`, connectionId: conn.id }),
    stats: { apiCalls: 0, rateLimited: 0 },
    signal,
  };
}
