/**
 * Notifications of one connection within a slot share one processing job, queued with a short
 * delay so a burst is fetched in batches. Remembering the jobs this process queued, and when
 * each starts, lets every later notification of the burst skip the queue round trips: a job
 * that has not started yet will read the rows recorded before it.
 */
export type Enqueue = (jobId: string, delayMs: number) => Promise<{ added: boolean }>;

export interface SlotJobOptions {
  slotMs: number;
  /** How long a slot's first job waits for the rest of the burst. */
  delayMs: number;
  /** A job this close to its start may already be reading: the next slot's job is ensured. */
  startMarginMs: number;
  now?: () => number;
  /** Remembered jobs kept before the started ones are forgotten. */
  maxRemembered?: number;
}

export class SlotJobs {
  private readonly startsAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: SlotJobOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Make sure a job that has not started yet will process `connectionId`'s recorded events. */
  async ensure(connectionId: string, enqueue: Enqueue): Promise<void> {
    const now = this.now();
    const slot = Math.floor(now / this.opts.slotMs);
    for (const s of [slot, slot + 1]) {
      const at = this.startsAt.get(this.key(connectionId, s));
      if (at !== undefined && now < at - this.opts.startMarginMs) return;
    }
    const first = await enqueue(this.jobId(connectionId, slot), this.opts.delayMs);
    if (first.added) {
      this.remember(this.key(connectionId, slot), now + this.opts.delayMs);
      return;
    }
    // the slot's job may already be running or done, and would not see these events: the next
    // slot's job will (at most one extra job per connection and slot)
    const next = await enqueue(this.jobId(connectionId, slot + 1), this.opts.slotMs);
    if (next.added) this.remember(this.key(connectionId, slot + 1), now + this.opts.slotMs);
  }

  private jobId(connectionId: string, slot: number): string {
    return `webhook-${connectionId}-${slot}`;
  }

  private key(connectionId: string, slot: number): string {
    return `${connectionId}:${slot}`;
  }

  private remember(key: string, startsAt: number): void {
    if (this.startsAt.size >= (this.opts.maxRemembered ?? 10_000)) {
      const now = this.now();
      for (const [k, at] of this.startsAt) if (at <= now) this.startsAt.delete(k);
    }
    this.startsAt.set(key, startsAt);
  }
}
