/**
 * The web entry as a cluster: one primary forks `count` web processes that share the port (the
 * primary hands out connections round robin) and replaces any that dies, with a growing pause
 * when they die right away so a broken deploy does not spin. SIGTERM/SIGINT are passed on and
 * the primary exits when the last worker has drained.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface ClusterOptions {
  count: number;
  logger: Logger;
  /** Script the workers run (default: this process's own entry). */
  exec?: string;
  /** Extra environment for the workers. */
  env?: Record<string, string>;
  /** A worker alive for less than this counts as a crash at start (ms). */
  quickDeathMs?: number;
}

export interface WebCluster {
  /** Settles when every worker has exited after a stop. */
  stopped: Promise<void>;
  stop(signal?: NodeJS.Signals): void;
  pids(): number[];
}

const MAX_RESTART_DELAY_MS = 30_000;

export function superviseWebWorkers(opts: ClusterOptions): WebCluster {
  if (opts.exec) cluster.setupPrimary({ exec: opts.exec });
  const quickDeathMs = opts.quickDeathMs ?? 5_000;
  // Our own list of live workers: cluster.workers drops a worker only once it has both exited and
  // disconnected, and the two events come in either order, so at the last 'exit' it may still
  // list the worker and a stop would never settle.
  const live = new Map<number, { worker: Worker; startedAt: number }>();
  let stopping = false;
  let restartDelay = 0;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));

  const fork = (): Worker => {
    const w = cluster.fork(opts.env);
    live.set(w.id, { worker: w, startedAt: Date.now() });
    return w;
  };
  const alive = () => [...live.values()].map((l) => l.worker);

  cluster.on('exit', (w, code, signal) => {
    const entry = live.get(w.id);
    if (!entry) return;
    live.delete(w.id);
    const lived = Date.now() - entry.startedAt;
    if (stopping) {
      if (live.size === 0) resolveStopped();
      return;
    }
    restartDelay = lived < quickDeathMs ? Math.min(Math.max(restartDelay * 2, 500), MAX_RESTART_DELAY_MS) : 0;
    opts.logger.error(
      { pid: w.process.pid, code, signal, restartInMs: restartDelay },
      'web worker exited: starting another',
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay).unref();
  });

  for (let i = 0; i < opts.count; i++) fork();
  opts.logger.info({ workers: opts.count }, 'web cluster started');

  return {
    stopped,
    pids: () => alive().map((w) => w.process.pid!),
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (stopping) return;
      stopping = true;
      const workers = alive();
      if (workers.length === 0) resolveStopped();
      for (const w of workers) w.process.kill(signal);
    },
  };
}
