/** Test helpers for the QuickBooks connector: fixtures and a fake ConnectorContext. */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { ConnectorContext } from '../../../connectors/types';

export const RECORDED = '/work/shared/fixtures/recorded';
export const CONTRACTS = '/work/shared/contracts/quickbooks';

interface Recording {
  request: { method: string; uri: string; body: unknown };
  response: { status: number; body: unknown };
}

export function recording(file: string): Recording[] {
  return JSON.parse(fs.readFileSync(path.join(RECORDED, 'quickbooks-qbo_api', file), 'utf8')) as Recording[];
}

export function fixtureJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(path.join(...parts), 'utf8')) as T;
}

export interface FakeContext extends ConnectorContext {
  tokenCalls: { force: boolean }[];
}

export function fakeContext(
  realmId = '4620816365',
  tokens: string[] = ['access-1', 'access-2', 'access-3'],
): FakeContext {
  let current = 0;
  const tokenCalls: { force: boolean }[] = [];
  return {
    connectionId: 'conn-1',
    organizationId: 'org-1',
    externalTenantId: realmId,
    logger: pino({ level: 'silent' }),
    stats: { apiCalls: 0, rateLimited: 0 },
    tokenCalls,
    getAccessToken(force?: boolean) {
      tokenCalls.push({ force: !!force });
      if (force) current = Math.min(current + 1, tokens.length - 1);
      return Promise.resolve(tokens[current]!);
    },
  };
}

export const API = 'https://qbo.test';
