import { z } from 'zod';
import { PermanentJobError, type JobDefinition, type QueueDriver } from '../../src/queue/types';
import { makeQueue, queueDrivers } from '../support/queues';

interface Recorder {
  runs: { id: string; n: number; attempt: number; at: number }[];
}

const payload = z.object({ n: z.number() });

function defs(): JobDefinition<never, Recorder>[] {
  const record: JobDefinition<{ n: number }, Recorder> = {
    name: 'record',
    payload,
    attempts: 3,
    backoffMs: 50,
    concurrency: 2,
    async handler(p, ctx) {
      ctx.app.runs.push({ id: ctx.jobId, n: p.n, attempt: ctx.attempt, at: Date.now() });
    },
  };
  const flaky: JobDefinition<{ n: number }, Recorder> = {
    name: 'flaky',
    payload,
    attempts: 3,
    backoffMs: 100,
    concurrency: 1,
    async handler(p, ctx) {
      ctx.app.runs.push({ id: ctx.jobId, n: p.n, attempt: ctx.attempt, at: Date.now() });
      throw new Error('platform is down');
    },
  };
  const permanent: JobDefinition<{ n: number }, Recorder> = {
    name: 'permanent',
    payload,
    attempts: 5,
    backoffMs: 50,
    concurrency: 1,
    async handler(p, ctx) {
      ctx.app.runs.push({ id: ctx.jobId, n: p.n, attempt: ctx.attempt, at: Date.now() });
      throw new PermanentJobError('invoice no longer exists');
    },
  };
  return [record, flaky, permanent] as unknown as JobDefinition<never, Recorder>[];
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(queueDrivers())('queue driver %s', (driver) => {
  let rec: Recorder;
  let queue: QueueDriver;
  beforeEach(async () => {
    rec = { runs: [] };
    queue = makeQueue(driver, defs(), rec);
    await queue.startWorkers();
  });
  afterEach(async () => {
    await queue.close(5000);
  });

  it('runs a job enqueued twice with the same job id once', async () => {
    const a = await queue.enqueue('record', { n: 1 }, { jobId: 'reminder-c1-step2' });
    const b = await queue.enqueue('record', { n: 1 }, { jobId: 'reminder-c1-step2' });
    expect(a.added).toBe(true);
    expect(b.added).toBe(false);
    await waitFor(async () => (await queue.getJobState('record', 'reminder-c1-step2')) === 'completed');
    // enqueue again after it completed: still deduplicated
    const c = await queue.enqueue('record', { n: 1 }, { jobId: 'reminder-c1-step2' });
    expect(c.added).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.runs.filter((r) => r.n === 1)).toHaveLength(1);
  });

  it('retries a failing job with growing delays, then marks it failed', async () => {
    await queue.enqueue('flaky', { n: 2 }, { jobId: 'flaky-1' });
    await waitFor(async () => (await queue.getJobState('flaky', 'flaky-1')) === 'failed');
    const runs = rec.runs.filter((r) => r.n === 2);
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
    const gap1 = runs[1]!.at - runs[0]!.at;
    const gap2 = runs[2]!.at - runs[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(70); // 100 ms base, -20% jitter, minus timer slack
    expect(gap2).toBeGreaterThan(gap1 * 1.2);
  });

  it('does not retry a permanent failure', async () => {
    await queue.enqueue('permanent', { n: 3 }, { jobId: 'perm-1' });
    await waitFor(async () => (await queue.getJobState('permanent', 'perm-1')) === 'failed');
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.runs.filter((r) => r.n === 3)).toHaveLength(1);
  });

  it('runs a delayed job at its time, not before', async () => {
    const start = Date.now();
    await queue.enqueue('record', { n: 4 }, { jobId: 'later', delayMs: 400 });
    expect(await queue.getJobState('record', 'later')).toBe('delayed');
    await waitFor(() => rec.runs.some((r) => r.n === 4));
    expect(rec.runs.find((r) => r.n === 4)!.at - start).toBeGreaterThanOrEqual(380);
  });

  it('rejects a payload that does not match the job definition, enqueuing nothing', async () => {
    await expect(queue.enqueue('record', { n: 'one' }, { jobId: 'bad' })).rejects.toThrow();
    expect(await queue.getJobState('record', 'bad')).toBe('unknown');
  });

  it('rejects an unknown job name', async () => {
    await expect(queue.enqueue('nope', {})).rejects.toThrow(/unknown job/);
  });
});

describe.each(queueDrivers())('queue driver %s: concurrency, schedules and shutdown', (driver) => {
  it('never runs more jobs of one kind at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    const slow: JobDefinition<{ n: number }, null> = {
      name: 'slow',
      payload,
      attempts: 1,
      backoffMs: 10,
      concurrency: 2,
      async handler() {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 80));
        running--;
      },
    };
    const q = makeQueue(driver, [slow] as unknown as JobDefinition<never, null>[], null);
    await q.startWorkers();
    for (let i = 0; i < 6; i++) await q.enqueue('slow', { n: i }, { jobId: `slow-${i}` });
    await waitFor(async () => (await q.getJobState('slow', 'slow-5')) === 'completed');
    await q.close(2000);
    expect(peak).toBe(2);
  });

  it('lets the job in hand finish when it is closed (graceful shutdown)', async () => {
    const done: number[] = [];
    const long: JobDefinition<{ n: number }, null> = {
      name: 'long',
      payload,
      attempts: 1,
      backoffMs: 10,
      concurrency: 1,
      async handler(p) {
        await new Promise((r) => setTimeout(r, 300));
        done.push(p.n);
      },
    };
    const q = makeQueue(driver, [long] as unknown as JobDefinition<never, null>[], null);
    await q.startWorkers();
    await q.enqueue('long', { n: 1 }, { jobId: 'long-1' });
    await waitFor(async () => (await q.getJobState('long', 'long-1')) === 'active');
    await q.close(5000);
    expect(done).toEqual([1]);
  });
});

describe('in-process schedules', () => {
  it('runs a repeatable job on its cron schedule', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      jest.setSystemTime(new Date('2026-11-23T10:59:59.000Z'));
      const runs: string[] = [];
      const hourly: JobDefinition<Record<string, never>, null> = {
        name: 'hourly',
        payload: z.object({}),
        attempts: 1,
        backoffMs: 10,
        concurrency: 1,
        schedule: { cron: '0 * * * *', payload: {} },
        async handler(_p, ctx) {
          runs.push(ctx.jobId);
        },
      };
      const q = makeQueue('in-process', [hourly] as unknown as JobDefinition<never, null>[], null);
      await q.startWorkers();
      await jest.advanceTimersByTimeAsync(1500);
      expect(runs).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(3600_000);
      expect(runs).toHaveLength(2);
      expect(new Set(runs).size).toBe(2);
      await q.close(100);
    } finally {
      jest.useRealTimers();
    }
  });
});
