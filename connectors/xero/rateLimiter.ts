/**
 * Xero's limits, kept per tenant (60 calls/min, 5 in flight, 5,000/day) and per app
 * (10,000/min), in this process. The response headers (`X-MinLimit-Remaining`,
 * `X-DayLimit-Remaining`, `X-AppMinLimit-Remaining`) correct the local view when other
 * processes share a tenant, and a nearly spent day limit postpones non-urgent work.
 */
import { rateLimitedError } from '../errors';
import { XERO_HEADERS, XERO_LIMITS, type XeroLimits } from './platform';

/** Slack added to each rolling window so arrival-time counting on Xero's side never sees 61. */
const WINDOW_SLACK_MS = 250;
/** When the day limit is nearly spent and Xero has not said when it resets. */
const DAY_POSTPONE_DEFAULT_MS = 60 * 60_000;

class Window {
  private readonly starts: number[] = [];
  constructor(
    private readonly size: number,
    private readonly spanMs: number,
  ) {}

  private trim(now: number) {
    while (this.starts.length > 0 && this.starts[0]! + this.spanMs + WINDOW_SLACK_MS <= now)
      this.starts.shift();
  }

  /** ms to wait before one more call fits; 0 when it fits now. */
  waitMs(now: number, remainingByServer: number | null): number {
    this.trim(now);
    const full = this.starts.length >= this.size || (remainingByServer !== null && remainingByServer <= 0);
    if (!full) return 0;
    const oldest = this.starts[0];
    return oldest === undefined ? this.spanMs : Math.max(1, oldest + this.spanMs + WINDOW_SLACK_MS - now);
  }

  record(now: number) {
    this.starts.push(now);
  }
}

interface TenantState {
  minute: Window;
  inFlight: number;
  waiters: (() => void)[];
  minRemaining: number | null;
  dayRemaining: number | null;
  /** When Xero last told `dayRemaining` (its day is a rolling 24 hours: the count recovers). */
  dayObservedAt: number;
  /** Set by a 429 that named the day limit: until then non-urgent work is postponed. */
  dayBlockedUntil: number;
}

export interface RateLimiterOptions {
  limits?: Partial<XeroLimits>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface AcquireOptions {
  /** Writes the clerk is waiting for: they may use the reserved end of the day limit. */
  urgent?: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class XeroRateLimiter {
  readonly limits: XeroLimits;
  private readonly tenants = new Map<string, TenantState>();
  private readonly app: Window;
  private appRemaining: number | null = null;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: RateLimiterOptions = {}) {
    this.limits = { ...XERO_LIMITS, ...opts.limits };
    this.app = new Window(this.limits.appPerMinute, this.limits.minuteMs);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  private state(tenantId: string): TenantState {
    let s = this.tenants.get(tenantId);
    if (!s) {
      s = {
        minute: new Window(this.limits.perMinute, this.limits.minuteMs),
        inFlight: 0,
        waiters: [],
        minRemaining: null,
        dayRemaining: null,
        dayObservedAt: 0,
        dayBlockedUntil: 0,
      };
      this.tenants.set(tenantId, s);
    }
    return s;
  }

  /** Throws rate_limited when the day's calls are (nearly) spent and the work can wait. */
  checkDay(tenantId: string, opts: AcquireOptions = {}): void {
    const s = this.state(tenantId);
    const now = this.now();
    if (s.dayBlockedUntil > now)
      throw rateLimitedError('Xero daily call limit reached', s.dayBlockedUntil - now, {
        platform: 'xero',
        code: 'day_limit',
      });
    if (opts.urgent) return;
    const reserve = Math.ceil(this.limits.perDay * this.limits.dayReserveShare);
    if (s.dayRemaining !== null && s.dayRemaining < reserve) {
      const since = now - s.dayObservedAt;
      // an hour on, calls of the rolling day have expired: ask Xero again (its next answer's
      // header sets the count) instead of postponing forever on a stale figure
      if (since >= DAY_POSTPONE_DEFAULT_MS) s.dayRemaining = null;
      else
        throw rateLimitedError(
          `Xero daily call limit nearly spent (${s.dayRemaining} left): postponed`,
          DAY_POSTPONE_DEFAULT_MS - since,
          { platform: 'xero', code: 'day_limit' },
        );
    }
  }

  /** Wait for a slot (in flight, minute, app minute); returns the release function. */
  async acquire(tenantId: string, opts: AcquireOptions = {}): Promise<() => void> {
    const s = this.state(tenantId);
    for (;;) {
      this.checkDay(tenantId, opts);
      if (s.inFlight >= this.limits.concurrent) {
        await new Promise<void>((r) => s.waiters.push(r));
        continue;
      }
      const now = this.now();
      const wait = Math.max(s.minute.waitMs(now, s.minRemaining), this.app.waitMs(now, this.appRemaining));
      if (wait > 0) {
        await this.sleep(wait);
        // the server's count is stale after waiting out a window
        s.minRemaining = null;
        this.appRemaining = null;
        continue;
      }
      break;
    }
    const at = this.now();
    s.inFlight += 1;
    s.minute.record(at);
    this.app.record(at);
    if (s.minRemaining !== null) s.minRemaining -= 1;
    if (s.dayRemaining !== null) s.dayRemaining -= 1;
    if (this.appRemaining !== null) this.appRemaining -= 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      s.inFlight -= 1;
      s.waiters.shift()?.();
    };
  }

  /** Feed the limit headers of a response. */
  observe(tenantId: string, headers: Headers): void {
    const s = this.state(tenantId);
    const num = (name: string): number | null => {
      const v = headers.get(name);
      if (v === null || v.trim() === '') return null;
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    };
    const min = num(XERO_HEADERS.minRemaining);
    const day = num(XERO_HEADERS.dayRemaining);
    const app = num(XERO_HEADERS.appMinRemaining);
    if (min !== null) s.minRemaining = min;
    if (day !== null) {
      s.dayRemaining = day;
      s.dayObservedAt = this.now();
    }
    if (app !== null) this.appRemaining = app;
  }

  /** Xero's Retry-After has been waited out: its word replaces the stale remaining count. */
  retryAfterServed(tenantId: string): void {
    this.state(tenantId).minRemaining = null;
    this.appRemaining = null;
  }

  /** A 429 that named the day limit blocks the tenant until Xero's Retry-After. */
  blockDay(tenantId: string, retryAfterMs: number): void {
    this.state(tenantId).dayBlockedUntil = this.now() + retryAfterMs;
  }

  /** For tests and the connection page. */
  snapshot(tenantId: string) {
    const s = this.state(tenantId);
    return { inFlight: s.inFlight, minRemaining: s.minRemaining, dayRemaining: s.dayRemaining };
  }
}
