/**
 * The Xero Accounting API client: every request goes through here, so limits, retries,
 * token refresh and error mapping are handled once.
 *
 * We call the API with fetch rather than xero-node's AccountingApi: the SDK deserialises into
 * camelCase model classes (we validate Xero's own PascalCase records with zod, against the
 * recorded fixtures and the OpenAPI spec), it hides the limit headers behind its error
 * objects, and at 100,000 invoices its model conversion costs memory and time for nothing.
 */
import {
  needsReconnectError,
  permanentError,
  rateLimitedError,
  retryableError,
  validationError,
} from '../errors';
import type { ConnectorContext } from '../types';
import { apiErrorSchema } from './mapping/schemas';
import { XERO_HEADERS, type XeroEndpoints } from './platform';
import type { XeroRateLimiter } from './rateLimiter';

export interface XeroRetryOptions {
  /** First backoff delay for 5xx/network errors (jittered, doubling). */
  baseDelayMs?: number;
  /** A Retry-After longer than this is not waited out: the work is postponed instead. */
  maxRetryAfterMs?: number;
  /** Attempts for 5xx/network errors. */
  maxAttempts?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

export interface XeroRequest {
  method: 'GET' | 'PUT' | 'POST';
  /** Path under `/api.xro/2.0`, e.g. `/Invoices`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
  /** `pdf` returns the raw bytes. */
  accept?: 'json' | 'pdf';
  idempotencyKey?: string;
  /** Writes the clerk waits for may use the reserved end of the day limit. */
  urgent?: boolean;
}

export interface XeroResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function retryAfterMs(headers: Headers): number | null {
  const v = headers.get(XERO_HEADERS.retryAfter);
  if (!v) return null;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

async function errorText(res: Response): Promise<{ message: string; type: string | null }> {
  const text = await res.text();
  try {
    const parsed = apiErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      const msgs = (parsed.data.Elements ?? [])
        .flatMap((e) => e.ValidationErrors ?? [])
        .map((v) => v.Message)
        .filter((m): m is string => !!m);
      return {
        message: [parsed.data.Message, ...msgs].filter(Boolean).join('; ') || `HTTP ${res.status}`,
        type: parsed.data.Type ?? null,
      };
    }
  } catch {
    // not JSON (Xero answers some errors in plain text or HTML): the text itself is the message
  }
  return { message: text.slice(0, 300) || `HTTP ${res.status}`, type: null };
}

export class XeroApiClient {
  private readonly retry: Required<XeroRetryOptions>;

  constructor(
    private readonly endpoints: XeroEndpoints,
    readonly limiter: XeroRateLimiter,
    retry: XeroRetryOptions = {},
  ) {
    this.retry = {
      baseDelayMs: retry.baseDelayMs ?? 500,
      maxRetryAfterMs: retry.maxRetryAfterMs ?? 120_000,
      maxAttempts: retry.maxAttempts ?? 5,
      timeoutMs: retry.timeoutMs ?? 60_000,
    };
  }

  url(path: string, query?: XeroRequest['query']): string {
    const u = new URL(this.endpoints.accounting + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async request<T = unknown>(ctx: ConnectorContext, req: XeroRequest): Promise<XeroResponse<T>> {
    const tenant = ctx.externalTenantId;
    const url = this.url(req.path, req.query);
    const what = `Xero ${req.method} ${req.path}`;
    let forceRefresh = false;
    let refreshed = false;
    let failures = 0;
    let waits = 0;
    for (;;) {
      if (ctx.signal?.aborted) throw retryableError(`${what}: aborted`, { platform: 'xero' });
      const token = await ctx.getAccessToken(forceRefresh);
      forceRefresh = false;
      const release = await this.limiter.acquire(tenant, { urgent: req.urgent });
      ctx.stats.apiCalls += 1;
      let res: Response;
      try {
        const headers: Record<string, string> = {
          Authorization: `Bearer ${token}`,
          [XERO_HEADERS.tenant]: tenant,
          Accept: req.accept === 'pdf' ? 'application/pdf' : 'application/json',
          ...req.headers,
        };
        if (req.idempotencyKey) headers[XERO_HEADERS.idempotencyKey] = req.idempotencyKey;
        if (req.body !== undefined) headers['Content-Type'] = 'application/json';
        const signals = [AbortSignal.timeout(this.retry.timeoutMs), ...(ctx.signal ? [ctx.signal] : [])];
        res = await fetch(url, {
          method: req.method,
          headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal: AbortSignal.any(signals),
        });
        this.limiter.observe(tenant, res.headers);
        if (res.ok) {
          const body = req.accept === 'pdf' ? Buffer.from(await res.arrayBuffer()) : await res.json();
          return { status: res.status, body: body as T, headers: res.headers };
        }
      } catch (e) {
        // network failure, timeout, or a body cut short: back off and try again
        failures += 1;
        if (failures >= this.retry.maxAttempts)
          throw retryableError(`${what}: ${e instanceof Error ? e.message : String(e)}`, {
            platform: 'xero',
            code: 'network',
            cause: e,
          });
        release();
        await sleep(this.backoff(failures));
        continue;
      } finally {
        release();
      }
      const next = await this.classify(ctx, res, what, refreshed);
      if (next.kind === 'refresh') {
        forceRefresh = true;
        refreshed = true;
        continue;
      }
      if (next.kind === 'failure') {
        failures += 1;
        if (failures >= this.retry.maxAttempts)
          throw retryableError(`${what}: HTTP ${res.status} after ${failures} attempts`, {
            platform: 'xero',
            status: res.status,
          });
        await sleep(next.delayMs ?? this.backoff(failures));
        continue;
      }
      waits += 1;
      if (waits > 20)
        throw rateLimitedError(`${what}: still rate limited`, next.delayMs, {
          platform: 'xero',
          status: res.status,
        });
      await sleep(next.delayMs);
      this.limiter.retryAfterServed(tenant);
    }
  }

  private backoff(attempt: number): number {
    const exp = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return Math.round(exp * (0.5 + Math.random())); // full jitter around the exponential step
  }

  /** Throws the mapped error, or says how to try again. */
  private async classify(
    ctx: ConnectorContext,
    res: Response,
    what: string,
    refreshed: boolean,
  ): Promise<
    { kind: 'refresh' } | { kind: 'failure'; delayMs: number | null } | { kind: 'wait'; delayMs: number }
  > {
    const status = res.status;
    const details = { platform: 'xero', status };
    if (status === 429) {
      ctx.stats.rateLimited += 1;
      const wait = retryAfterMs(res.headers) ?? 60_000;
      const problem = res.headers.get(XERO_HEADERS.rateLimitProblem);
      await res.body?.cancel();
      if (problem === 'day') {
        this.limiter.blockDay(ctx.externalTenantId, wait);
        throw rateLimitedError(`${what}: Xero daily call limit reached`, wait, {
          ...details,
          code: 'day_limit',
        });
      }
      if (wait > this.retry.maxRetryAfterMs)
        throw rateLimitedError(`${what}: rate limited for ${Math.round(wait / 1000)}s`, wait, {
          ...details,
          code: problem ?? undefined,
        });
      ctx.logger.warn({ status, retryAfterMs: wait, problem }, 'xero rate limited; waiting Retry-After');
      return { kind: 'wait', delayMs: wait };
    }
    if (status === 401) {
      await res.body?.cancel();
      if (!refreshed) return { kind: 'refresh' };
      throw needsReconnectError(`${what}: access token rejected after a refresh`, details);
    }
    if (status === 403) {
      const { message } = await errorText(res);
      throw needsReconnectError(
        `${what}: forbidden (connection removed or scope revoked): ${message}`,
        details,
      );
    }
    if (status >= 500) {
      await res.body?.cancel();
      return { kind: 'failure', delayMs: retryAfterMs(res.headers) };
    }
    const { message, type } = await errorText(res);
    if (status === 400) throw validationError(`${what}: ${message}`, { ...details, code: type ?? undefined });
    if (status === 404) throw permanentError(`${what}: not found`, { ...details, code: 'not_found' });
    throw permanentError(`${what}: HTTP ${status}: ${message}`, details);
  }
}
