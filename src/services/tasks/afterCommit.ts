import type { AppContext } from '../../app/context';
import type { EnqueueOptions, QueueDriver } from '../../queue/types';

/**
 * A queue that holds enqueues until the transaction that recorded their rows has committed: the
 * services called inside the transaction enqueue as usual; `flush` hands the jobs to the real
 * queue afterwards, and nothing is enqueued when the transaction rolls back.
 */
export function afterCommitQueue(app: AppContext): { app: AppContext; flush(): Promise<void> } {
  const pending: [string, unknown, EnqueueOptions | undefined][] = [];
  const real = app.queue;
  const queue: QueueDriver = {
    kind: real.kind,
    enqueue(name, payload, opts) {
      pending.push([name, payload, opts]);
      return Promise.resolve({ id: opts?.jobId ?? '', added: true });
    },
    startWorkers: () => real.startWorkers(),
    getJobState: (name, id) => real.getJobState(name, id),
    close: (timeoutMs) => real.close(timeoutMs),
    ping: () => real.ping(),
    drain: (timeoutMs) => real.drain(timeoutMs),
  };
  return {
    app: { ...app, queue },
    async flush() {
      for (const [name, payload, opts] of pending.splice(0)) await real.enqueue(name, payload, opts);
    },
  };
}
