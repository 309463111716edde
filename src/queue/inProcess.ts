import { CronExpressionParser } from 'cron-parser';
import type { Logger } from 'pino';
import {
  backoffDelay,
  DelayJobError,
  PermanentJobError,
  type EnqueueOptions,
  type JobDefinition,
  type JobState,
  type QueueDriver,
} from './types';

interface Entry {
  id: string;
  name: string;
  payload: unknown;
  state: JobState;
  attempt: number;
  runAt: number;
  timer: NodeJS.Timeout | null;
  finishedAt: number;
  error?: string;
}

/** Completed and failed ids are remembered this long for deduplication (like BullMQ's kept jobs). */
const KEEP_DONE_MS = 24 * 3600_000;

/**
 * The embedded queue: same contract as the BullMQ driver, in this process's memory. Delayed
 * jobs, retries with exponential backoff, cron schedules, dedup by job id, per-kind
 * concurrency. Losing the process loses the queue, never the work: the database is the
 * truth and sweeps re-enqueue what is due (ARCHITECTURE decision 1).
 */
export class InProcessQueue<C> implements QueueDriver {
  readonly kind = 'in-process' as const;
  private readonly defs = new Map<string, JobDefinition<unknown, C>>();
  private readonly jobs = new Map<string, Entry>();
  private readonly running = new Map<string, number>();
  private readonly ready = new Map<string, Entry[]>();
  private readonly cronTimers = new Set<NodeJS.Timeout>();
  private started = false;
  private closing = false;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    definitions: JobDefinition<unknown, C>[],
    private readonly app: C,
    private readonly logger: Logger,
  ) {
    for (const d of definitions) this.defs.set(d.name, d);
  }

  async enqueue(name: string, payload: unknown, opts: EnqueueOptions = {}) {
    const def = this.defs.get(name);
    if (!def) throw new Error(`unknown job "${name}"`);
    const parsed = def.payload.parse(payload);
    this.prune();
    const id = opts.jobId ?? `${name}:${Date.now()}:${++this.seq}`;
    const key = `${name}|${id}`;
    if (this.jobs.has(key)) return { id, added: false };
    const entry: Entry = {
      id,
      name,
      payload: parsed,
      state: 'waiting',
      attempt: 0,
      runAt: Date.now() + (opts.delayMs ?? 0),
      timer: null,
      finishedAt: 0,
    };
    this.jobs.set(key, entry);
    this.schedule(entry, opts.delayMs ?? 0);
    return { id, added: true };
  }

  async startWorkers() {
    this.started = true;
    for (const def of this.defs.values()) {
      if (def.schedule) this.scheduleCron(def);
      this.pump(def.name);
    }
  }

  async getJobState(name: string, id: string): Promise<JobState> {
    return this.jobs.get(`${name}|${id}`)?.state ?? 'unknown';
  }

  async ping() {}

  async drain(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.busy(deadline - 50)) {
      if (Date.now() > deadline) throw new Error('queue did not drain in time');
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async close(timeoutMs = 30_000) {
    this.closing = true;
    for (const t of this.cronTimers) clearTimeout(t);
    for (const e of this.jobs.values()) if (e.timer) clearTimeout(e.timer);
    const deadline = Date.now() + timeoutMs;
    while ([...this.running.values()].some((n) => n > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Something is running, waiting, or delayed to run before `horizon`. */
  private busy(horizon = Date.now() + 5): boolean {
    for (const e of this.jobs.values()) {
      if (e.state === 'active' || e.state === 'waiting') return true;
      if (e.state === 'delayed' && e.runAt <= horizon) return true;
    }
    return false;
  }

  private schedule(entry: Entry, delayMs: number) {
    if (this.closing) return;
    if (delayMs > 0) {
      entry.state = 'delayed';
      entry.runAt = Date.now() + delayMs;
      entry.timer = setTimeout(() => {
        entry.timer = null;
        this.makeReady(entry);
      }, delayMs);
      entry.timer.unref?.();
    } else {
      this.makeReady(entry);
    }
  }

  private makeReady(entry: Entry) {
    entry.state = 'waiting';
    const list = this.ready.get(entry.name) ?? [];
    list.push(entry);
    this.ready.set(entry.name, list);
    this.pump(entry.name);
  }

  private pump(name: string) {
    if (!this.started || this.closing) return;
    const def = this.defs.get(name)!;
    const list = this.ready.get(name) ?? [];
    while (list.length > 0 && (this.running.get(name) ?? 0) < def.concurrency) {
      const entry = list.shift()!;
      this.running.set(name, (this.running.get(name) ?? 0) + 1);
      void this.run(def, entry).finally(() => {
        this.running.set(name, (this.running.get(name) ?? 1) - 1);
        this.pump(name);
        this.notifyIdle();
      });
    }
  }

  private async run(def: JobDefinition<unknown, C>, entry: Entry) {
    entry.state = 'active';
    entry.attempt += 1;
    const logger = this.logger.child({ job: def.name, jobId: entry.id, attempt: entry.attempt });
    try {
      await def.handler(entry.payload, { app: this.app, jobId: entry.id, attempt: entry.attempt, logger });
      entry.state = 'completed';
      entry.finishedAt = Date.now();
    } catch (err) {
      if (err instanceof DelayJobError) {
        entry.attempt -= 1;
        logger.info({ delayMs: err.delayMs }, 'job postponed');
        this.schedule(entry, err.delayMs);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      entry.error = message;
      if (err instanceof PermanentJobError || entry.attempt >= def.attempts) {
        entry.state = 'failed';
        entry.finishedAt = Date.now();
        logger.error({ err: message }, 'job failed');
        return;
      }
      const delay = backoffDelay(def, entry.attempt);
      logger.warn({ err: message, retryInMs: delay }, 'job attempt failed; retrying');
      this.schedule(entry, delay);
    }
  }

  private scheduleCron(def: JobDefinition<unknown, C>) {
    const arm = () => {
      if (this.closing) return;
      const next = CronExpressionParser.parse(def.schedule!.cron, { tz: 'UTC' }).next().getTime();
      const t = setTimeout(
        () => {
          this.cronTimers.delete(t);
          void this.enqueue(def.name, def.schedule!.payload, { jobId: `cron:${def.name}:${next}` }).catch(
            (e: unknown) =>
              this.logger.error({ err: String(e), job: def.name }, 'scheduled job could not be enqueued'),
          );
          arm();
        },
        Math.max(0, next - Date.now()),
      );
      t.unref?.();
      this.cronTimers.add(t);
    };
    arm();
  }

  private notifyIdle() {
    if (this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private prune() {
    const cutoff = Date.now() - KEEP_DONE_MS;
    for (const [k, e] of this.jobs) {
      if ((e.state === 'completed' || e.state === 'failed') && e.finishedAt < cutoff) this.jobs.delete(k);
    }
  }
}
