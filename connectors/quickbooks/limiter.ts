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

  get pending(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.inFlight;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.opts.maxInFlight) {
      const now = Date.now();
      while (this.stamps.length > 0 && this.stamps[0]! <= now - this.opts.windowMs) this.stamps.shift();
      if (this.stamps.length >= this.opts.perWindow) {
        if (!this.timer) {
          const wait = this.stamps[0]! + this.opts.windowMs - now + 1;
          this.timer = setTimeout(() => {
            this.timer = null;
            this.pump();
          }, wait);
          this.timer.unref();
        }
        return;
      }
      this.stamps.push(now);
      this.inFlight++;
      this.queue.shift()!();
    }
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
