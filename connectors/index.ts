import type { Config } from '../src/config/env';
import { createQuickBooksConnector } from './quickbooks';
import type { AccountingConnector } from './types';
import { createXeroConnector } from './xero';

/**
 * The explicit map of connectors this deployment can use: a platform is present when its
 * credentials are configured (in demo mode, the emulators' credentials and base URLs).
 */
export function createConnectors(config: Config): AccountingConnector[] {
  const list: AccountingConnector[] = [];
  if (config.QUICKBOOKS_CLIENT_ID && config.QUICKBOOKS_CLIENT_SECRET) {
    list.push(
      createQuickBooksConnector({
        clientId: config.QUICKBOOKS_CLIENT_ID,
        clientSecret: config.QUICKBOOKS_CLIENT_SECRET,
        environment: config.QUICKBOOKS_ENVIRONMENT,
        baseUrl: config.QUICKBOOKS_BASE_URL,
      }),
    );
  }
  if (config.XERO_CLIENT_ID && config.XERO_CLIENT_SECRET) {
    list.push(
      createXeroConnector({
        clientId: config.XERO_CLIENT_ID,
        clientSecret: config.XERO_CLIENT_SECRET,
        baseUrl: config.XERO_BASE_URL,
      }),
    );
  }
  return list;
}
