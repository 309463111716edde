/**
 * Per-realm request limiter: at most N requests in any sliding window and at most M in flight.
 * Intuit counts per realm (and app), so every connector instance in this process shares one
 * limiter per realm through `limiterFor`.
 */
import { QUICKBOOKS_LIMITS } from './platform';

export interface LimiterOptions {
  perWindow: number;
  windowMs: number;
  maxInFlight: number;
}

export class RealmLimiter {
  private inFlight = 0;
  private readonly stamps: number[] = [];
  private readonly queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private pausedUntil = 0;

  constructor(private readonly opts: LimiterOptions) {}

  /** Resolves when a request may start; call `release()` when it ends. */
  acquire(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.pump();
    });
  }

  release(): void {
    this.inFlight--;
    this.pump();
  }

  /** After a 429 the whole realm waits: no request of this process starts before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.inFlight;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.opts.maxInFlight) {
      const now = Date.now();
      if (now < this.pausedUntil) {
        this.wakeAt(this.pausedUntil - now);
        return;
      }
      while (this.stamps.length > 0 && this.stamps[0]! <= now - this.opts.windowMs) this.stamps.shift();
      if (this.stamps.length >= this.opts.perWindow) {
        this.wakeAt(this.stamps[0]! + this.opts.windowMs - now + 1);
        return;
      }
      this.stamps.push(now);
      this.inFlight++;
      this.queue.shift()!();
    }
  }

  private wakeAt(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, ms);
    this.timer.unref();
  }
}

/**
 * Intuit's limits with a one-second safety margin on the window, so requests that Intuit
 * timestamps a little later than we do still fall inside its 500/min.
 */
export const DEFAULT_LIMITS: LimiterOptions = {
  perWindow: QUICKBOOKS_LIMITS.requestsPerMinute,
  windowMs: 61_000,
  maxInFlight: QUICKBOOKS_LIMITS.concurrentPerRealm,
};

const limiters = new Map<string, RealmLimiter>();

export function limiterFor(realmId: string, opts: LimiterOptions = DEFAULT_LIMITS): RealmLimiter {
  let l = limiters.get(realmId);
  if (!l) {
    l = new RealmLimiter(opts);
    limiters.set(realmId, l);
  }
  return l;
}
