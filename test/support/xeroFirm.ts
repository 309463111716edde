/**
 * A firm connected to the Xero emulator: the emulator with a generated company, a test app whose
 * Xero connector points at it (quick retries), an organisation and its connection. Used by the
 * service-level Xero tests; each sets up what is particular to it on top.
 */
import { createXeroConnector } from '../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../connectors/xero/emulator';
import { OrgScope } from '../../src/db/scope';
import { addConnectionFromRefreshToken } from '../../src/services/connections/lifecycle';
import { createOrganization } from '../../src/services/organizations';
import { createTestApp, type TestApp } from './app';

export interface XeroFirm {
  emu: XeroEmulator;
  t: TestApp;
  orgId: string;
  scope: OrgScope;
  connectionId: string;
  close(): Promise<void>;
}

export async function xeroFirm(opts: {
  name: string;
  company: { seed: number; customers: number; invoices: number };
  webhookKey?: string;
  /** Runs on the emulator before the connection is added (extra contacts, invoices…). */
  prepare?: (emu: XeroEmulator) => void;
}): Promise<XeroFirm> {
  const emu = await startXeroEmulator({
    company: { ...opts.company, asOf: '2026-11-20' },
    clientId: 'x-id',
    clientSecret: 'x-secret',
    ...(opts.webhookKey ? { webhookKey: opts.webhookKey } : {}),
  });
  opts.prepare?.(emu);
  const t = await createTestApp({
    ...(opts.webhookKey ? { env: { XERO_WEBHOOK_KEY: opts.webhookKey } } : {}),
    connectors: [
      createXeroConnector({
        clientId: 'x-id',
        clientSecret: 'x-secret',
        baseUrl: emu.url,
        retry: { baseDelayMs: 5 },
      }),
    ],
  });
  const orgId = (await createOrganization(t.app.db, { name: opts.name })).id;
  const scope = new OrgScope(t.app.db, orgId);
  const connectionId = (
    await addConnectionFromRefreshToken(
      t.app,
      scope,
      { platform: 'xero', externalTenantId: emu.tenantId, refreshToken: emu.issueRefreshToken() },
      { type: 'system', id: 'cli' },
    )
  ).id;
  return {
    emu,
    t,
    orgId,
    scope,
    connectionId,
    async close() {
      await t.close();
      await emu.close();
    },
  };
}
