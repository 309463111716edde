import pino from 'pino';

import type { AccountingConnector, ConnectorContext, OAuthTokens } from '../../../connectors/types';

/** A ConnectorContext whose token manager refreshes through the connector, as the lead's does. */
export function emulatorContext(
  connector: AccountingConnector,
  refreshToken: string,
  tenantId: string,
): ConnectorContext & { tokens(): OAuthTokens | null; refreshes: number } {
  let tokens: OAuthTokens | null = null;
  let inflight: Promise<OAuthTokens> | null = null;
  let rt = refreshToken;
  const ctx = {
    connectionId: 'conn-1',
    organizationId: 'org-1',
    externalTenantId: tenantId,
    logger: pino({ level: 'silent' }),
    stats: { apiCalls: 0, rateLimited: 0 },
    refreshes: 0,
    tokens: () => tokens,
    async getAccessToken(force?: boolean) {
      if (tokens && !force && tokens.accessTokenExpiresAt.getTime() > Date.now() + 60_000)
        return tokens.accessToken;
      inflight ??= connector.oauth.refresh(rt).finally(() => {
        inflight = null;
      });
      tokens = await inflight;
      ctx.refreshes += 1;
      rt = tokens.refreshToken;
      return tokens.accessToken;
    },
  };
  return ctx;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
