/**
 * One case event is one transaction: its rows, its audit entry, its e-mails and write-back notes
 * (rows keyed for idempotency) commit together. Jobs for the e-mails and notes are enqueued only
 * after the commit, so a worker never looks for a row that is not there yet, and nothing is
 * enqueued for an event that rolled back.
 */
import type { AppContext } from '../../app/context';
import type { Db } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import type { EnqueueOptions, QueueDriver } from '../../queue/types';

export async function caseTransaction<R>(
  app: AppContext,
  scope: OrgScope,
  fn: (txApp: AppContext, tx: OrgScope) => Promise<R>,
): Promise<R> {
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
  const result = await scope.transaction((tx) => fn({ ...app, db: tx.db as unknown as Db, queue }, tx));
  for (const [name, payload, opts] of pending) await real.enqueue(name, payload, opts);
  return result;
}
