import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
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

/** Completed and failed jobs are kept a day so the same job id is not run again (dedup). */
const KEEP = { age: 24 * 3600, count: 50_000 };

/**
 * BullMQ on Redis: one queue per job kind (so each kind has its own concurrency), deterministic
 * job ids for deduplication, exponential backoff, job schedulers for cron, graceful close.
 */
export class BullMqQueue<C> implements QueueDriver {
  readonly kind = 'bullmq' as const;
  private readonly defs = new Map<string, JobDefinition<unknown, C>>();
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly connection: { url: string; maxRetriesPerRequest: null };
  private pingClient: IORedis | null = null;

  constructor(
    definitions: JobDefinition<unknown, C>[],
    private readonly app: C,
    private readonly logger: Logger,
    private readonly opts: { url: string; prefix?: string },
  ) {
    this.connection = { url: opts.url, maxRetriesPerRequest: null };
    for (const d of definitions) this.defs.set(d.name, d);
  }

  private queueName(name: string) {
    return name.replace(/[^a-zA-Z0-9_-]/g, '-');
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(this.queueName(name), {
        connection: this.connection,
        prefix: this.opts.prefix ?? 'duely',
      });
      q.on('error', (err) => this.logger.error({ err: err.message, queue: name }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue(name: string, payload: unknown, opts: EnqueueOptions = {}) {
    const def = this.defs.get(name);
    if (!def) throw new Error(`unknown job "${name}"`);
    const data = def.payload.parse(payload);
    const q = this.queue(name);
    const jobId = opts.jobId ? sanitizeId(opts.jobId) : undefined;
    if (jobId) {
      const existing = await q.getJob(jobId);
      if (existing) return { id: jobId, added: false };
    }
    const job = await q.add(name, data, {
      jobId,
      delay: opts.delayMs,
      attempts: def.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs, jitter: 0.2 },
      removeOnComplete: KEEP,
      removeOnFail: KEEP,
    });
    return { id: job.id ?? jobId ?? '', added: true };
  }

  async startWorkers() {
    for (const def of this.defs.values()) {
      const q = this.queue(def.name);
      if (def.schedule) {
        await q.upsertJobScheduler(
          `schedule:${def.name}`,
          { pattern: def.schedule.cron, tz: 'UTC' },
          {
            name: def.name,
            data: def.schedule.payload,
            opts: {
              attempts: def.attempts,
              backoff: { type: 'exponential', delay: def.backoffMs },
              removeOnComplete: KEEP,
              removeOnFail: KEEP,
            },
          },
        );
      }
      const worker = new Worker(
        this.queueName(def.name),
        (job: Job, token?: string) => this.process(def, job, token),
        {
          connection: this.connection,
          prefix: this.opts.prefix ?? 'duely',
          concurrency: def.concurrency,
        },
      );
      worker.on('error', (err) => this.logger.error({ err: err.message, job: def.name }, 'worker error'));
      this.workers.push(worker);
    }
  }

  private async process(def: JobDefinition<unknown, C>, job: Job, token?: string) {
    const attempt = job.attemptsMade + 1;
    const logger = this.logger.child({ job: def.name, jobId: job.id, attempt });
    try {
      const payload = def.payload.parse(job.data);
      await def.handler(payload, { app: this.app, jobId: job.id ?? '', attempt, logger });
    } catch (err) {
      if (err instanceof DelayJobError) {
        await job.moveToDelayed(Date.now() + err.delayMs, token);
        throw new DelayedError();
      }
      if (err instanceof PermanentJobError) throw new UnrecoverableError(err.message);
      const message = err instanceof Error ? err.message : String(err);
      if (attempt < def.attempts)
        logger.warn({ err: message, nextInMs: backoffDelay(def, attempt) }, 'job attempt failed; retrying');
      else logger.error({ err: message }, 'job failed');
      throw err;
    }
  }

  async getJobState(name: string, id: string): Promise<JobState> {
    const job = await this.queue(name).getJob(sanitizeId(id));
    if (!job) return 'unknown';
    const s = await job.getState();
    if (s === 'prioritized' || s === 'waiting-children') return 'waiting';
    return (['waiting', 'delayed', 'active', 'completed', 'failed'] as const).includes(s as never)
      ? (s as JobState)
      : 'unknown';
  }

  async ping() {
    this.pingClient ??= new IORedis(this.opts.url, {
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    if (this.pingClient.status === 'wait') await this.pingClient.connect();
    await this.pingClient.ping();
  }

  async drain(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let busy = 0;
      for (const q of this.queues.values()) {
        const c = await q.getJobCounts('waiting', 'active', 'prioritized');
        busy += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
        const delayed = await q.getDelayed(0, 50);
        busy += delayed.filter((j) => j.timestamp + (j.delay ?? 0) <= deadline - 50).length;
      }
      if (busy === 0) return;
      if (Date.now() > deadline) throw new Error('queue did not drain in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(timeoutMs = 30_000) {
    // Worker.close() waits for the jobs in hand; past the timeout they are returned when the lock expires.
    await Promise.race([
      Promise.all(this.workers.map((w) => w.close())),
      new Promise((r) => setTimeout(r, timeoutMs).unref()),
    ]);
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.pingClient?.disconnect();
  }
}

/** BullMQ job ids may not contain ':' (it is the key separator). */
function sanitizeId(id: string): string {
  return id.replace(/:/g, '_');
}
