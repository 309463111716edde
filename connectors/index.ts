import type { Config } from '../src/config/env';
import type { AccountingConnector } from './types';

/**
 * The explicit map of connectors this deployment can use. A platform appears when its
 * factory lands and its credentials are configured (or in demo mode, against its emulator).
 */
export function createConnectors(_config: Config): AccountingConnector[] {
  return [];
}
