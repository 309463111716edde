/**
 * Xero's platform facts, as data: hosts, paths, scopes, limits and the headers that report them.
 * `XERO_BASE_URL` (one origin serving every endpoint under Xero's own paths) replaces every host.
 */

export const XERO_HOSTS = {
  identity: 'https://identity.xero.com',
  login: 'https://login.xero.com',
  api: 'https://api.xero.com',
} as const;

/** Paths under each host; with a base URL they all hang off that one origin. */
export const XERO_PATHS = {
  authorize: '/identity/connect/authorize',
  discovery: '/.well-known/openid-configuration',
  jwks: '/.well-known/openid-configuration/jwks',
  token: '/connect/token',
  revocation: '/connect/revocation',
  connections: '/connections',
  accounting: '/api.xro/2.0',
} as const;

export interface XeroEndpoints {
  /** Issuer origin for OpenID discovery (`<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  authorize: string;
  token: string;
  revocation: string;
  connections: string;
  /** Accounting API root, without a trailing slash. */
  accounting: string;
}

/** Every endpoint Duely calls, on Xero's real hosts or under one base URL. */
export function xeroEndpoints(baseUrl?: string | null): XeroEndpoints {
  if (baseUrl) {
    const origin = baseUrl.replace(/\/+$/, '');
    return {
      issuer: origin,
      authorize: origin + XERO_PATHS.authorize,
      token: origin + XERO_PATHS.token,
      revocation: origin + XERO_PATHS.revocation,
      connections: origin + XERO_PATHS.connections,
      accounting: origin + XERO_PATHS.accounting,
    };
  }
  return {
    issuer: XERO_HOSTS.identity,
    authorize: XERO_HOSTS.login + XERO_PATHS.authorize,
    token: XERO_HOSTS.identity + XERO_PATHS.token,
    revocation: XERO_HOSTS.identity + XERO_PATHS.revocation,
    connections: XERO_HOSTS.api + XERO_PATHS.connections,
    accounting: XERO_HOSTS.api + XERO_PATHS.accounting,
  };
}

export const XERO_SCOPES = {
  connect: ['offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings'],
  signIn: ['openid', 'profile', 'email'],
} as const;

export interface XeroLimits {
  /** Calls per tenant per rolling minute. */
  perMinute: number;
  /** Concurrent calls per tenant. */
  concurrent: number;
  /** Calls per tenant per rolling 24 hours. */
  perDay: number;
  /** Calls per app (all tenants) per minute. */
  appPerMinute: number;
  /** Below this share of the day limit left, non-urgent work is postponed. */
  dayReserveShare: number;
  /** Length of the "minute" window (ms); tests shorten it. */
  minuteMs: number;
}

export const XERO_LIMITS: XeroLimits = {
  perMinute: 60,
  concurrent: 5,
  perDay: 5000,
  appPerMinute: 10_000,
  dayReserveShare: 0.05,
  minuteMs: 60_000,
};

export const XERO_HEADERS = {
  minRemaining: 'x-minlimit-remaining',
  dayRemaining: 'x-daylimit-remaining',
  appMinRemaining: 'x-appminlimit-remaining',
  /** Which limit a 429 hit: `minute`, `day`, `concurrent`, `appminute`. */
  rateLimitProblem: 'x-rate-limit-problem',
  retryAfter: 'retry-after',
  tenant: 'xero-tenant-id',
  idempotencyKey: 'Idempotency-Key',
  ifModifiedSince: 'If-Modified-Since',
  signature: 'x-xero-signature',
} as const;

/** Xero's paging: up to 1000 records per page when `pageSize` is given. */
export const XERO_MAX_PAGE_SIZE = 1000;
/** Records per `IDs=` filter call. */
export const XERO_IDS_PER_CALL = 50;
/** History `Details` maximum length. */
export const XERO_HISTORY_DETAILS_MAX = 250;
/** Access tokens live 30 minutes; refresh tokens 60 days; a rotated-away token has 30 minutes' grace. */
export const XERO_ACCESS_TOKEN_TTL_S = 1800;
export const XERO_REFRESH_TOKEN_TTL_DAYS = 60;
export const XERO_REFRESH_GRACE_MS = 30 * 60_000;
/** xero-node's own default HTTP timeout for identity calls. */
export const XERO_IDENTITY_TIMEOUT_MS = 3500;
