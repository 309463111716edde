/**
 * QuickBooks Online platform facts, as data: hosts, paths, scopes, limits, error codes.
 * `QUICKBOOKS_BASE_URL` (one origin that serves every endpoint under Intuit's own paths)
 * replaces every host; the emulator, tests and staging proxies use it.
 */

export type QuickBooksEnvironment = 'sandbox' | 'production';

export const QUICKBOOKS_HOSTS = {
  sandbox: {
    api: 'https://sandbox-quickbooks.api.intuit.com',
    /** intuit-oauth's own sandbox userinfo host. */
    accounts: 'https://sandbox-accounts.platform.intuit.com',
  },
  production: {
    api: 'https://quickbooks.api.intuit.com',
    accounts: 'https://accounts.platform.intuit.com',
  },
  appcenter: 'https://appcenter.intuit.com',
  oauth: 'https://oauth.platform.intuit.com',
  developer: 'https://developer.api.intuit.com',
} as const;

/** Intuit's paths; under a base URL they all hang off that one origin. */
export const QUICKBOOKS_PATHS = {
  authorize: '/connect/oauth2',
  token: '/oauth2/v1/tokens/bearer',
  revoke: '/v2/oauth2/tokens/revoke',
  userinfo: '/v1/openid_connect/userinfo',
  /** followed by `/{realmId}/…` */
  company: '/v3/company',
} as const;

export interface QuickBooksEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  userinfo: string;
  /** API origin without trailing slash; the company root is `${api}/v3/company/${realmId}`. */
  api: string;
}

export function quickBooksEndpoints(
  environment: QuickBooksEnvironment,
  baseUrl?: string | null,
): QuickBooksEndpoints {
  if (baseUrl) {
    const origin = baseUrl.replace(/\/+$/, '');
    return {
      authorize: origin + QUICKBOOKS_PATHS.authorize,
      token: origin + QUICKBOOKS_PATHS.token,
      revoke: origin + QUICKBOOKS_PATHS.revoke,
      userinfo: origin + QUICKBOOKS_PATHS.userinfo,
      api: origin,
    };
  }
  const env = QUICKBOOKS_HOSTS[environment];
  return {
    authorize: QUICKBOOKS_HOSTS.appcenter + QUICKBOOKS_PATHS.authorize,
    token: QUICKBOOKS_HOSTS.oauth + QUICKBOOKS_PATHS.token,
    revoke: QUICKBOOKS_HOSTS.developer + QUICKBOOKS_PATHS.revoke,
    userinfo: env.accounts + QUICKBOOKS_PATHS.userinfo,
    api: env.api,
  };
}

export const companyRoot = (endpoints: QuickBooksEndpoints, realmId: string): string =>
  `${endpoints.api}${QUICKBOOKS_PATHS.company}/${encodeURIComponent(realmId)}`;

export const QUICKBOOKS_SCOPES = {
  connect: ['com.intuit.quickbooks.accounting'],
  signIn: ['com.intuit.quickbooks.accounting', 'openid', 'profile', 'email'],
} as const;

export const QUICKBOOKS_MINOR_VERSION = 75;

export const QUICKBOOKS_LIMITS = {
  /** Requests per minute per realm (per app). */
  requestsPerMinute: 500,
  /** Concurrent requests per realm. */
  concurrentPerRealm: 10,
  /** Rows per query page. */
  maxResults: 1000,
  /** CDC answers at most this many objects per entity. */
  cdcMaxObjects: 1000,
  /** CDC looks back at most 30 days. */
  cdcMaxAgeDays: 30,
  /** `IN (…)` list size Duely uses per query. */
  maxIdsPerQuery: 1000,
  /** Invoice.PrivateNote length. */
  privateNoteMaxChars: 4000,
  /** Intuit asks clients to wait 60 s after a 429 when no Retry-After is given. */
  rateLimitWaitMs: 60_000,
  /** Access tokens live 1 h; refresh tokens 100 days (rolling). */
  accessTokenTtlSeconds: 3600,
} as const;

/** Entities Duely reads, in full-sync order (terms first: invoices need their due days). */
export const QUICKBOOKS_SYNC_ENTITIES = ['Term', 'Customer', 'Invoice', 'Payment', 'CreditMemo'] as const;
export type QuickBooksSyncEntity = (typeof QUICKBOOKS_SYNC_ENTITIES)[number];

/** Entities asked of CDC (terms rarely change; a full sync refreshes them). */
export const QUICKBOOKS_CDC_ENTITIES = ['Customer', 'Invoice', 'Payment', 'CreditMemo'] as const;

export const QUICKBOOKS_WEBHOOK_SIGNATURE_HEADER = 'intuit-signature';

/** Fault codes with a meaning of their own. */
export const QUICKBOOKS_FAULT_CODES = {
  authenticationFailed: '3200',
  authorizationFailed: '3100',
  staleObject: '5010',
  throttled: '3001',
  /** 6000–6999: business validation (duplicate name, closed period, …). */
  validationRange: [6000, 6999] as const,
} as const;
