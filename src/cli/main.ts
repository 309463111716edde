import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env';
import { ServiceError } from '../services/errors';
import { registerOrgCommands } from './commands/org';
import { registerSetupCommands } from './commands/setup';
import { registerUserCommands } from './commands/user';
import { CliError } from './output';

const program = new Command();
program
  .name('duely')
  .description('Duely: accounts-receivable automation for QuickBooks Online and Xero')
  .option('--json', 'print one JSON document on stdout')
  .showHelpAfterError()
  .exitOverride();

registerSetupCommands(program);
registerOrgCommands(program);
registerUserCommands(program);

function fail(message: string, code = 1): never {
  process.stderr.write(`duely: ${message}\n`);
  process.exit(code);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) process.exit(0);
    process.exit(e.exitCode || 2);
  }
  if (e instanceof ServiceError || e instanceof CliError || e instanceof ConfigError) fail(e.message, 1);
  fail(e instanceof Error ? e.message : String(e), 1);
});
