import cluster from 'node:cluster';
import { loadConfigOrExit } from '../config/load';
import { createRootLogger } from '../logging/logger';
import { superviseWebWorkers } from '../runtime/cluster';
import { runProcess } from '../runtime/process';

const config = loadConfigOrExit();
if (config.WEB_CONCURRENCY > 1 && cluster.isPrimary) {
  // the primary only supervises: each worker below boots the web process on the shared port
  const web = superviseWebWorkers({
    count: config.WEB_CONCURRENCY,
    logger: createRootLogger(config.LOG_LEVEL),
  });
  const stop = (signal: NodeJS.Signals) => {
    web.stop(signal);
    void web.stopped.then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} else {
  runProcess('web').catch((e: unknown) => {
    process.stderr.write(`duely: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
