/**
 * The QuickBooks API client: node-quickbooks (promisified, minor version 75) under one request
 * loop that owns rate limiting, retries and error mapping.
 *
 * - node-quickbooks reads its API root from the instance field `endpoint` (set from a static in
 *   its constructor); each request gets a fresh instance whose `endpoint` is the configured
 *   origin + `/v3/company/`, so `QUICKBOOKS_BASE_URL` is honoured for every API call.
 * - node-quickbooks does not retry by itself, so retries here never stack with the SDK's.
 * - Per realm: ≤ 500 requests/min and ≤ 10 in flight (`limiter.ts`). 429 → wait Retry-After
 *   (or 60 s) and retry; 5xx / network → jittered exponential backoff; 401 → one forced token
 *   refresh, then `needs_reconnect`.
 * - Writes carry `requestid` (derived from the idempotency key), so Intuit applies a retried
 *   write once.
 */
import crypto from 'node:crypto';
import QuickBooks from 'node-quickbooks';
import { ConnectorError } from '../errors';
import type { ConnectorContext } from '../types';
import { faultError, parseFault } from './faults';
import { limiterFor, type LimiterOptions } from './limiter';
import { QUICKBOOKS_LIMITS, QUICKBOOKS_MINOR_VERSION, type QuickBooksEndpoints } from './platform';

export interface RetryOptions {
  /** Wait after a 429 without Retry-After (Intuit asks for 60 s). */
  rateLimitWaitMs: number;
  /** First backoff delay for 5xx / network errors; doubles each attempt, ±50 % jitter. */
  baseDelayMs: number;
  /** Attempts for 5xx / network errors (first try included). */
  maxAttempts: number;
  /** Consecutive 429s tolerated before giving up with `rate_limited` (the job then postpones). */
  maxRateLimitRetries: number;
  /** A request with no answer after this long counts as a network error (node-quickbooks sets none). */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  rateLimitWaitMs: QUICKBOOKS_LIMITS.rateLimitWaitMs,
  baseDelayMs: 500,
  maxAttempts: 5,
  maxRateLimitRetries: 3,
  requestTimeoutMs: 60_000,
};

export interface QuickBooksClientConfig {
  clientId: string;
  clientSecret: string;
  environment: 'sandbox' | 'production';
  endpoints: QuickBooksEndpoints;
  retry: RetryOptions;
  limits?: LimiterOptions;
}

type Sdk = InstanceType<typeof QuickBooks>;
type SdkCall = (qbo: Sdk, done: (err: unknown, body: unknown) => void) => void;

interface AxiosLikeError {
  response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
  code?: string;
  message?: string;
  isAxiosError?: boolean;
}

/** Our own marker for a request that got no answer in time (handled like a network error). */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  readonly isAxiosError = true;
}

/** Intuit's requestid: at most 50 chars; a stable hash of the idempotency key. */
export function requestIdFor(idempotencyKey: string): string {
  return crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 36);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new ConnectorError('retryable', 'aborted'));
    const onAbort = () => {
      clearTimeout(t);
      reject(new ConnectorError('retryable', 'aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function retryAfterMs(headers: Record<string, unknown> | undefined, fallback: number): number {
  const raw = headers?.['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value === 'string' || typeof value === 'number') {
    const secs = Number(value);
    if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
    const at = Date.parse(String(value));
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  return fallback;
}

export class QuickBooksApi {
  constructor(
    private readonly cfg: QuickBooksClientConfig,
    private readonly ctx: ConnectorContext,
  ) {}

  get realmId(): string {
    return this.ctx.externalTenantId;
  }

  private sdk(accessToken: string): Sdk {
    const qbo = new QuickBooks(
      this.cfg.clientId,
      this.cfg.clientSecret,
      accessToken,
      false,
      this.realmId,
      this.cfg.environment === 'sandbox',
      false,
      String(QUICKBOOKS_MINOR_VERSION),
      '2.0',
      undefined,
    );
    qbo.endpoint = `${this.cfg.endpoints.api}/v3/company/`;
    return qbo;
  }

  private once(
    token: string,
    call: SdkCall,
  ): Promise<{ ok: true; body: unknown } | { ok: false; err: unknown }> {
    type Outcome = { ok: true; body: unknown } | { ok: false; err: unknown };
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (r: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const ms = this.cfg.retry.requestTimeoutMs;
      const timer = setTimeout(
        () => finish({ ok: false, err: new RequestTimeout(`no answer in ${ms} ms`) }),
        ms,
      );
      try {
        call(this.sdk(token), (err, body) => finish(err ? { ok: false, err } : { ok: true, body }));
      } catch (e) {
        // node-quickbooks throws synchronously on a malformed entity (e.g. no Id/SyncToken)
        finish({ ok: false, err: e });
      }
    });
  }

  /** One logical API call with limiter, retries and error mapping. */
  async request(what: string, call: SdkCall): Promise<unknown> {
    const limiter = limiterFor(this.realmId, this.cfg.limits);
    let attempts = 0;
    let rateLimits = 0;
    let refreshed = false;
    for (;;) {
      if (this.ctx.signal?.aborted) throw new ConnectorError('retryable', `${what}: aborted`);
      const token = await this.ctx.getAccessToken();
      await limiter.acquire();
      let result;
      try {
        this.ctx.stats.apiCalls++;
        result = await this.once(token, call);
      } finally {
        limiter.release();
      }
      if (result.ok) {
        const fault = parseFault(result.body);
        if (!fault) return result.body;
        // a fault inside a 200 answer
        throw faultError(200, fault, what);
      }
      const err = result.err as AxiosLikeError;
      const response = err && typeof err === 'object' ? err.response : undefined;
      const status = response?.status;
      const fault = parseFault(response ? response.data : err);

      if (status === 429) {
        this.ctx.stats.rateLimited++;
        const wait = retryAfterMs(response?.headers, this.cfg.retry.rateLimitWaitMs);
        if (++rateLimits > this.cfg.retry.maxRateLimitRetries) throw faultError(429, fault, what, wait);
        this.ctx.logger.warn({ what, waitMs: wait }, 'QuickBooks rate limit hit; waiting');
        limiter.pause(wait);
        await sleep(wait, this.ctx.signal);
        continue;
      }
      if (status === 401) {
        if (!refreshed) {
          refreshed = true;
          await this.ctx.getAccessToken(true);
          continue;
        }
        throw faultError(401, fault, what);
      }
      if (status === undefined && !fault && !err?.isAxiosError) {
        // not an HTTP failure at all (a refused entity, a bug): retrying would not help
        const message = result.err instanceof Error ? result.err.message : String(result.err);
        throw new ConnectorError('permanent', `${what}: ${message}`, {
          platform: 'quickbooks',
          cause: result.err,
        });
      }
      const transient = status === undefined ? !fault : status >= 500;
      if (transient) {
        attempts++;
        if (attempts >= this.cfg.retry.maxAttempts) {
          if (status !== undefined) throw faultError(status, fault, what);
          throw new ConnectorError('retryable', `${what}: ${err?.message ?? 'network error'}`, {
            platform: 'quickbooks',
            code: err?.code,
          });
        }
        const delay = this.cfg.retry.baseDelayMs * 2 ** (attempts - 1) * (0.5 + Math.random());
        this.ctx.logger.warn(
          { what, status, code: err?.code, delayMs: Math.round(delay) },
          'QuickBooks retry',
        );
        await sleep(delay, this.ctx.signal);
        continue;
      }
      throw faultError(status, fault, what);
    }
  }

  /** `SELECT … FROM <Entity> <tail>` through node-quickbooks' find<Entities>. */
  async query(entity: string, tail: string): Promise<Record<string, unknown>> {
    const method = `find${QuickBooks.prototype.pluralize(entity)}` as keyof Sdk;
    const body = await this.request(`query ${entity}`, (qbo, done) => {
      const fn = qbo[method] as unknown as (c: string, cb: (e: unknown, d: unknown) => void) => void;
      fn.call(qbo, tail, done);
    });
    const qr = (body as { QueryResponse?: Record<string, unknown> } | null)?.QueryResponse;
    if (!qr || typeof qr !== 'object') {
      throw new ConnectorError('retryable', `query ${entity}: answer without QueryResponse`, {
        platform: 'quickbooks',
      });
    }
    return qr;
  }

  /** Change Data Capture since `since` (UTC, no `+` in the text: node-quickbooks does not encode it). */
  async cdc(entities: readonly string[], since: Date): Promise<unknown> {
    return this.request('cdc', (qbo, done) =>
      qbo.changeDataCapture([...entities], since.toISOString(), done),
    );
  }

  async readInvoice(id: string): Promise<unknown> {
    return this.request(`read Invoice ${id}`, (qbo, done) => qbo.getInvoice(id, done));
  }

  async updateInvoice(body: Record<string, unknown>, idempotencyKey: string): Promise<unknown> {
    return this.request(`update Invoice ${String(body.Id)}`, (qbo, done) =>
      qbo.updateInvoice({ ...body, sparse: true, requestId: requestIdFor(idempotencyKey) }, done),
    );
  }

  async createPayment(body: Record<string, unknown>, idempotencyKey: string): Promise<unknown> {
    return this.request('create Payment', (qbo, done) =>
      qbo.createPayment({ ...body, requestId: requestIdFor(idempotencyKey) }, done),
    );
  }

  async invoicePdf(id: string): Promise<Buffer> {
    const body = await this.request(`pdf Invoice ${id}`, (qbo, done) => qbo.getInvoicePdf(id, done));
    if (Buffer.isBuffer(body)) return body;
    if (body instanceof ArrayBuffer) return Buffer.from(body);
    throw new ConnectorError('permanent', `pdf Invoice ${id}: answer is not a PDF`, {
      platform: 'quickbooks',
    });
  }

  async companyInfo(): Promise<unknown> {
    return this.request('read CompanyInfo', (qbo, done) => qbo.getCompanyInfo(this.realmId, done));
  }
}
