import nock from 'nock';
import OAuthClient from 'intuit-oauth';
import { createQuickBooksOAuth } from '../../../connectors/quickbooks/oauth';
import { CONTRACTS, fixtureJson } from './helpers';

const BASE = 'https://intuit.test';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

const oauth = () =>
  createQuickBooksOAuth({ clientId: 'cid', clientSecret: 'csecret', environment: 'sandbox', baseUrl: BASE });
const basic = 'Basic ' + Buffer.from('cid:csecret').toString('base64');

describe('QuickBooks OAuth', () => {
  it('builds the authorize URL on the base URL with the accounting scope, and OpenID scopes for sign-in', () => {
    const url = new URL(oauth().authorizationUrl({ state: 'st-1', redirectUri: 'https://duely.test/cb' }));
    expect(url.origin + url.pathname).toBe(`${BASE}/connect/oauth2`);
    expect(url.searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting');
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(url.searchParams.get('redirect_uri')).toBe('https://duely.test/cb');
    const signIn = new URL(
      oauth().authorizationUrl({ state: 's', redirectUri: 'https://duely.test/cb', signIn: true }),
    );
    expect(signIn.searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting openid profile email');
    // intuit-oauth's shared statics are left as they were
    expect(OAuthClient.authorizeEndpoint).toBe('https://appcenter.intuit.com/connect/oauth2');
    expect(OAuthClient.tokenEndpoint).toBe('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer');
  });

  it('defaults to Intuit hosts without a base URL', () => {
    const real = createQuickBooksOAuth({ clientId: 'cid', clientSecret: 'x', environment: 'production' });
    expect(real.authorizationUrl({ state: 's', redirectUri: 'https://d/cb' })).toMatch(
      /^https:\/\/appcenter\.intuit\.com\/connect\/oauth2\?/,
    );
  });

  it('exchanges the code, returns the realm of the callback and the OpenID identity', async () => {
    const token = fixtureJson<Record<string, unknown>>(
      CONTRACTS,
      'oauth',
      'dotnet-sdk_success_token_response.json',
    );
    let form = '';
    nock(BASE, { reqheaders: { authorization: basic } })
      .post(
        '/oauth2/v1/tokens/bearer',
        (b: unknown) => (
          (form = typeof b === 'string' ? b : new URLSearchParams(b as Record<string, string>).toString()),
          true
        ),
      )
      .reply(200, token);
    nock(BASE, { reqheaders: { authorization: 'Bearer access_token' } })
      .get('/v1/openid_connect/userinfo')
      .reply(200, {
        sub: 'u-1',
        email: 'owner@firm.example',
        emailVerified: true,
        givenName: 'Ada',
        familyName: 'Clerk',
      });
    const before = Date.now();
    const res = await oauth().exchangeCode({
      callbackUrl: 'https://duely.test/cb?code=AB11&state=st-1&realmId=4620816365',
      redirectUri: 'https://duely.test/cb',
    });
    expect(form).toContain('grant_type=authorization_code');
    expect(form).toContain('code=AB11');
    expect(res.tenants).toEqual([{ externalTenantId: '4620816365', name: null }]);
    expect(res.identity).toEqual({ subject: 'u-1', email: 'owner@firm.example', name: 'Ada Clerk' });
    expect(res.tokens.accessToken).toBe('access_token');
    expect(res.tokens.refreshToken).toBe('refresh_token');
    expect(res.tokens.accessTokenExpiresAt.getTime()).toBeGreaterThanOrEqual(before + 3600_000);
  });

  it('keeps no e-mail address Intuit has not verified, so it cannot sign anyone in', async () => {
    nock(BASE).post('/oauth2/v1/tokens/bearer').reply(200, {
      token_type: 'bearer',
      access_token: 'a',
      refresh_token: 'r',
      expires_in: 3600,
      id_token: 'header.claims.signature',
    });
    nock(BASE)
      .get('/v1/openid_connect/userinfo')
      .reply(200, { sub: 'u-2', email: 'victim@firm.example', emailVerified: false, givenName: 'Eve' });
    const res = await oauth().exchangeCode({
      callbackUrl: 'https://d/cb?code=c&state=s&realmId=1',
      redirectUri: 'https://d/cb',
    });
    expect(res.identity).toEqual({ subject: 'u-2', email: null, name: 'Eve' });
  });

  it('does not ask for userinfo when no OpenID scope was granted', async () => {
    nock(BASE).post('/oauth2/v1/tokens/bearer').reply(200, {
      token_type: 'bearer',
      access_token: 'a',
      refresh_token: 'r',
      expires_in: 3600,
      x_refresh_token_expires_in: 8726400,
    });
    const res = await oauth().exchangeCode({
      callbackUrl: 'https://d/cb?code=c&state=s&realmId=1',
      redirectUri: 'https://d/cb',
    });
    expect(res.identity).toBeNull();
    expect(res.tokens.refreshTokenExpiresAt).not.toBeNull();
  });

  it('rejects a callback without realmId or with an error', async () => {
    await expect(
      oauth().exchangeCode({ callbackUrl: 'https://d/cb?code=c&state=s', redirectUri: 'https://d/cb' }),
    ).rejects.toMatchObject({ kind: 'validation' });
    await expect(
      oauth().exchangeCode({
        callbackUrl: 'https://d/cb?error=access_denied&state=s',
        redirectUri: 'https://d/cb',
      }),
    ).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('refreshes with the rotated refresh token', async () => {
    const refreshed = fixtureJson<Record<string, unknown>>(
      CONTRACTS,
      'oauth',
      'intuit-oauth_refreshResponse.json',
    );
    let form = '';
    nock(BASE)
      .post(
        '/oauth2/v1/tokens/bearer',
        (b: unknown) => (
          (form = typeof b === 'string' ? b : new URLSearchParams(b as Record<string, string>).toString()),
          true
        ),
      )
      .reply(200, refreshed);
    const t = await oauth().refresh('old-refresh');
    expect(form).toContain('grant_type=refresh_token');
    expect(form).toContain('refresh_token=old-refresh');
    expect(t).toMatchObject({
      accessToken: 'sample_access_token',
      refreshToken: 'sample_refresh_token',
      idToken: 'sample_id_token',
    });
  });

  it('maps invalid_grant to needs_reconnect', async () => {
    nock(BASE).post('/oauth2/v1/tokens/bearer').reply(400, { error: 'invalid_grant' });
    await expect(oauth().refresh('revoked')).rejects.toMatchObject({
      kind: 'needs_reconnect',
      details: { code: 'invalid_grant' },
    });
  });

  it('revokes the refresh token, and treats an already-revoked grant as done', async () => {
    let body: unknown;
    nock(BASE)
      .post('/v2/oauth2/tokens/revoke', (b: unknown) => ((body = b), true))
      .reply(200, '');
    await oauth().revoke('rt-1');
    expect(body).toEqual({ token: 'rt-1' });
    nock(BASE).post('/v2/oauth2/tokens/revoke').reply(400, { error: 'invalid_grant' });
    await expect(oauth().revoke('rt-1')).resolves.toBeUndefined();
  });
});
