/** A ConnectorContext backed by the emulator's OAuth: a tiny token manager for tests. */
import pino from 'pino';
import type { AccountingConnector, ConnectorContext } from '../../../connectors/types';
import type { QuickBooksEmulator } from '../../../connectors/quickbooks/emulator';

export interface EmulatorContext extends ConnectorContext {
  refreshes: number;
}

export function emulatorContext(
  connector: AccountingConnector,
  emulator: QuickBooksEmulator,
): EmulatorContext {
  let refreshToken = emulator.issueRefreshToken();
  let access: string | null = null;
  let inFlight: Promise<string> | null = null;
  const ctx: EmulatorContext = {
    connectionId: 'conn-emu',
    organizationId: 'org-emu',
    externalTenantId: emulator.realmId,
    logger: pino({ level: 'silent' }),
    stats: { apiCalls: 0, rateLimited: 0 },
    refreshes: 0,
    getAccessToken(force?: boolean) {
      if (access && !force) return Promise.resolve(access);
      inFlight ??= connector.oauth
        .refresh(refreshToken)
        .then((t) => {
          ctx.refreshes++;
          refreshToken = t.refreshToken;
          access = t.accessToken;
          return t.accessToken;
        })
        .finally(() => {
          inFlight = null;
        });
      return inFlight;
    },
  };
  return ctx;
}
