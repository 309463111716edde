import type { Logger } from 'pino';
import type { z } from 'zod';

/**
 * A job is a definition (name, zod payload of ids, retry policy, optional schedule) plus a
 * handler. Payloads carry ids only; the handler re-reads the database.
 */
export interface JobDefinition<P = unknown, C = unknown> {
  name: string;
  payload: z.ZodType<P>;
  /** Total attempts including the first. */
  attempts: number;
  /** Base delay of the exponential backoff between attempts. */
  backoffMs: number;
  /** Jobs of this kind running at once in one process. */
  concurrency: number;
  /** Repeatable job: cron pattern (UTC) and the payload each run gets. */
  schedule?: { cron: string; payload: P };
  handler(payload: P, ctx: JobContext<C>): Promise<void>;
}

export interface JobContext<C = unknown> {
  app: C;
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  logger: Logger;
}

export interface EnqueueOptions {
  /** Deterministic id: a job with the same id that is waiting, running or done recently is not added again. */
  jobId?: string;
  delayMs?: number;
}

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'unknown';

export interface QueueDriver {
  readonly kind: 'in-process' | 'bullmq';
  enqueue(name: string, payload: unknown, opts?: EnqueueOptions): Promise<{ id: string; added: boolean }>;
  /** Start processing jobs of every registered definition (and their schedules). */
  startWorkers(): Promise<void>;
  /** Register repeatable schedules without processing (a web-only process does not). */
  getJobState(name: string, id: string): Promise<JobState>;
  /** Stop taking jobs; let the jobs in hand finish (or return them to the queue) within `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
  ping(): Promise<void>;
  /** Wait until no job is waiting, active, or delayed to run within `timeoutMs` (tests, CLI). */
  drain(timeoutMs?: number): Promise<void>;
}

/** Throw from a handler to stop retrying: the job fails at once. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** Throw from a handler to run the job again after `delayMs` without spending an attempt (429s). */
export class DelayJobError extends Error {
  override readonly name = 'DelayJobError';
  constructor(
    readonly delayMs: number,
    message = `delayed ${delayMs} ms`,
  ) {
    super(message);
  }
}

export function backoffDelay(def: Pick<JobDefinition, 'backoffMs'>, attempt: number): number {
  // attempt 1 failed → base, 2 → 2×base, 3 → 4×base …, with ±20% jitter
  const base = def.backoffMs * 2 ** (attempt - 1);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
