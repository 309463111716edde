import type { Command } from 'commander';
import { migrate } from '../../db/migrate';
import { seedDemo } from '../../demo/seed';
import { withCliApp } from '../context';
import { output } from '../output';

export function registerSetupCommands(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      await withCliApp(async (app) => {
        await migrate(app.database);
        output(Boolean(program.opts().json), { status: 'ok' }, 'database schema is up to date');
      });
    });

  program
    .command('demo')
    .description('seed (idempotently) the demo firm and its emulated companies')
    .action(async () => {
      await withCliApp(async (app) => {
        const demo = await seedDemo(app);
        output(
          Boolean(program.opts().json),
          { organizationId: demo.organizationId, email: demo.email },
          `demo firm ready: sign in as ${demo.email} / ${demo.password}`,
        );
      });
    });
}
