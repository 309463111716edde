import fs from 'node:fs';

import nock from 'nock';

import { createXeroConnector } from '../../../connectors/xero';

const REC = '/work/shared/fixtures/recorded/xero-python';
const recorded = (f: string) =>
  (JSON.parse(fs.readFileSync(`${REC}/${f}`, 'utf8')) as { response: { body: unknown } }[])[0]!.response.body;

/** The discovery document of identity.xero.com (endpoints as Xero publishes them). */
const DISCOVERY = {
  issuer: 'https://identity.xero.com',
  authorization_endpoint: 'https://login.xero.com/identity/connect/authorize',
  token_endpoint: 'https://identity.xero.com/connect/token',
  revocation_endpoint: 'https://identity.xero.com/connect/revocation',
  jwks_uri: 'https://identity.xero.com/.well-known/openid-configuration/jwks',
  userinfo_endpoint: 'https://identity.xero.com/connect/userinfo',
  response_types_supported: ['code'],
  id_token_signing_alg_values_supported: ['RS256'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
};

describe('Xero OAuth on Xero’s real hosts (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const connector = () => createXeroConnector({ clientId: 'CID', clientSecret: 'CSECRET' });

  it('sends the clerk to login.xero.com', () => {
    const u = new URL(
      connector().oauth.authorizationUrl({ state: 's', redirectUri: 'https://duely.example/cb' }),
    );
    expect(u.origin + u.pathname).toBe('https://login.xero.com/identity/connect/authorize');
  });

  it('refreshes at identity.xero.com with the client credentials, keeping the rotated token', async () => {
    nock('https://identity.xero.com').get('/.well-known/openid-configuration').reply(200, DISCOVERY);
    const token = nock('https://identity.xero.com', {
      reqheaders: { authorization: `Basic ${Buffer.from('CID:CSECRET').toString('base64')}` },
    })
      .post(
        '/connect/token',
        (b: Record<string, string>) => b.grant_type === 'refresh_token' && b.refresh_token === 'old-rt',
      )
      .reply(200, recorded('test_api_client__test_token_api_refresh_token.json') as Record<string, unknown>);
    const t = await connector().oauth.refresh('old-rt');
    expect(t).toMatchObject({ accessToken: 'xero-access-token', refreshToken: 'xero-refresh-token' });
    expect(t.accessTokenExpiresAt.getTime() - Date.now()).toBeGreaterThan(1790_000);
    token.done();
  });

  it('maps invalid_grant to needs_reconnect and a 503 to retryable', async () => {
    nock('https://identity.xero.com').get('/.well-known/openid-configuration').reply(200, DISCOVERY);
    nock('https://identity.xero.com').post('/connect/token').reply(400, { error: 'invalid_grant' });
    const c = connector();
    await expect(c.oauth.refresh('rt')).rejects.toMatchObject({ kind: 'needs_reconnect' });
    nock('https://identity.xero.com').post('/connect/token').reply(503, 'unavailable');
    await expect(c.oauth.refresh('rt')).rejects.toMatchObject({ kind: 'retryable' });
  });

  it('maps a failed discovery to retryable, and tries discovery again next time', async () => {
    nock('https://identity.xero.com').get('/.well-known/openid-configuration').reply(502, 'bad gateway');
    const c = connector();
    await expect(c.oauth.refresh('rt')).rejects.toMatchObject({ kind: 'retryable' });
    nock('https://identity.xero.com').get('/.well-known/openid-configuration').reply(200, DISCOVERY);
    nock('https://identity.xero.com')
      .post('/connect/token')
      .reply(200, recorded('test_api_client__test_token_api_refresh_token.json') as Record<string, unknown>);
    await expect(c.oauth.refresh('rt')).resolves.toMatchObject({ refreshToken: 'xero-refresh-token' });
  });

  it('lists tenants from api.xero.com/connections (the recorded answer)', async () => {
    nock('https://api.xero.com', { reqheaders: { authorization: 'Bearer at' } })
      .get('/connections')
      .reply(200, recorded('identity__api__test_get_connections.json') as unknown[]);
    await expect(connector().oauth.listTenants('at')).resolves.toEqual([
      { externalTenantId: 'a46fcb6f-2773-40c4-a119-8aa08bca1e8e', name: null, authEventId: null },
    ]);
    nock('https://api.xero.com').get('/connections').reply(401, {});
    await expect(connector().oauth.listTenants('at')).rejects.toMatchObject({ kind: 'needs_reconnect' });
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
