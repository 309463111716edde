import { runProcess } from '../runtime/process';

runProcess('web').catch((e: unknown) => {
  process.stderr.write(`duely: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
