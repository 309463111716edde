import nock from 'nock';

import { ConnectorError } from '../../../connectors/errors';
import { createXeroConnector } from '../../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../../connectors/xero/emulator';

const clientId = 'CLIENT';
const clientSecret = 'SECRET';
const redirectUri = 'http://localhost:3000/connections/xero/callback';

async function authorize(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

describe('Xero OAuth against the emulator (discovery at XERO_BASE_URL)', () => {
  let emu: XeroEmulator;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    emu = await startXeroEmulator({
      clientId,
      clientSecret,
      tenants: 3,
      company: { seed: 3, customers: 5, invoices: 10, asOf: '2026-11-20' },
    });
  });
  afterAll(async () => {
    await emu.close();
    nock.enableNetConnect();
  });
  afterEach(() => {
    emu.identity.nextGrantTenants = null;
    emu.identity.holdTokenResponses = { count: 0, ms: 0 };
  });

  const connector = () =>
    createXeroConnector({ clientId, clientSecret, baseUrl: emu.url, identityTimeoutMs: 500 });

  it('builds the authorize URL on the base URL with the connect scopes and the state', () => {
    const url = new URL(connector().oauth.authorizationUrl({ state: 'st-1', redirectUri }));
    expect(url.origin + url.pathname).toBe(emu.url + '/identity/connect/authorize');
    expect(url.searchParams.get('scope')).toBe(
      'offline_access accounting.transactions accounting.contacts accounting.settings',
    );
    expect(url.searchParams.get('state')).toBe('st-1');
    const signIn = new URL(connector().oauth.authorizationUrl({ state: 's', redirectUri, signIn: true }));
    expect(signIn.searchParams.get('scope')!.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email']),
    );
  });

  it('returns only the tenants this grant added, identified by authEventId', async () => {
    const c = connector();
    // an earlier grant connected the first tenant; this one adds the other two
    emu.identity.nextGrantTenants = [emu.tenantIds[0]!];
    await c.oauth.exchangeCode({
      callbackUrl: await authorize(c.oauth.authorizationUrl({ state: 'a', redirectUri })),
      redirectUri,
    });
    emu.identity.nextGrantTenants = [emu.tenantIds[1]!, emu.tenantIds[2]!];
    const callback = await authorize(c.oauth.authorizationUrl({ state: 'b', redirectUri }));
    expect(new URL(callback).searchParams.get('state')).toBe('b');
    const result = await c.oauth.exchangeCode({ callbackUrl: callback, redirectUri });
    expect(result.tenants.map((t) => t.externalTenantId).sort()).toEqual(
      [emu.tenantIds[1], emu.tenantIds[2]].sort(),
    );
    expect(result.tenants.every((t) => typeof t.authEventId === 'string' && t.name)).toBe(true);
    expect(result.identity).toBeNull();
    const all = await c.oauth.listTenants(result.tokens.accessToken);
    expect(all).toHaveLength(3);
  });

  it('signs in with OpenID Connect: the id_token is validated and gives the identity', async () => {
    const c = connector();
    const callback = await authorize(c.oauth.authorizationUrl({ state: 's', redirectUri, signIn: true }));
    const result = await c.oauth.exchangeCode({ callbackUrl: callback, redirectUri });
    expect(result.identity).toEqual({
      subject: expect.any(String),
      email: 'owner@demo-firm.example',
      name: 'Dana Owner',
    });
    expect(result.tokens.idToken).toEqual(expect.any(String));
  });

  it('rotates refresh tokens, and recovers a lost refresh response with the previous token', async () => {
    const c = connector();
    const rt0 = emu.issueRefreshToken();
    const t1 = await c.oauth.refresh(rt0);
    expect(t1.refreshToken).not.toBe(rt0);
    expect(t1.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
    // Xero rotates but the response is lost: the SDK's timeout surfaces as retryable
    emu.identity.holdTokenResponses = { count: 1, ms: 1500 };
    const lost = await c.oauth.refresh(t1.refreshToken).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ConnectorError);
    expect((lost as ConnectorError).kind).toBe('retryable');
    // inside the 30-minute grace the same (previous) token still works
    const t2 = await c.oauth.refresh(t1.refreshToken);
    expect(t2.accessToken).toEqual(expect.any(String));
  });

  it('maps a revoked grant to needs_reconnect', async () => {
    const c = connector();
    const rt = emu.issueRefreshToken();
    const t = await c.oauth.refresh(rt);
    await c.oauth.revoke(t.refreshToken);
    await expect(c.oauth.refresh(t.refreshToken)).rejects.toMatchObject({ kind: 'needs_reconnect' });
  });

  it('rejects a callback carrying an error', async () => {
    await expect(
      connector().oauth.exchangeCode({
        callbackUrl: `${redirectUri}?error=access_denied&state=x`,
        redirectUri,
      }),
    ).rejects.toMatchObject({ kind: 'validation', details: { code: 'access_denied' } });
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
