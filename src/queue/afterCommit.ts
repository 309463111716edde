import type { EnqueueOptions, QueueDriver } from './types';

/**
 * A queue that holds enqueues until the transaction that wrote their rows has committed: give
 * `queue` to the code inside the transaction, call `flush()` after it. A job therefore never
 * runs before its row is visible, and a rolled-back transaction enqueues nothing.
 */
export function afterCommitQueue(real: QueueDriver): { queue: QueueDriver; flush(): Promise<void> } {
  const pending: [string, unknown, EnqueueOptions | undefined][] = [];
  const queue: QueueDriver = {
    kind: real.kind,
    enqueue(name, payload, opts) {
      pending.push([name, payload, opts]);
      return Promise.resolve({ id: opts?.jobId ?? '', added: true });
    },
    startWorkers: () => Promise.reject(new Error('not inside a transaction')),
    getJobState: (name, id) => real.getJobState(name, id),
    close: () => Promise.resolve(),
    ping: () => real.ping(),
    drain: () => Promise.reject(new Error('not inside a transaction')),
  };
  return {
    queue,
    async flush() {
      for (const [name, payload, opts] of pending.splice(0)) await real.enqueue(name, payload, opts);
    },
  };
}
