import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env';
import { ServiceError } from '../services/errors';
import { registerConnectionCommands } from './commands/connection';
import { registerOrgCommands } from './commands/org';
import { registerReminderCommands } from './commands/reminders';
import { registerSequenceCommands } from './commands/sequences';
import { registerSetupCommands } from './commands/setup';
import { registerUserCommands } from './commands/user';
import { setStdin } from './context';
import { CliError } from './output';

export function buildProgram(): Command {
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
  registerConnectionCommands(program);
  registerReminderCommands(program);
  registerSequenceCommands(program);
  return program;
}

/** Run the CLI; returns the exit code (errors are printed on stderr as one line). */
export async function runCli(argv: string[], io: { stdin?: string } = {}): Promise<number> {
  setStdin(io.stdin ?? null);
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : e.exitCode || 2;
    const message =
      e instanceof ConfigError
        ? `configuration error: ${e.message}`
        : e instanceof ServiceError || e instanceof CliError || e instanceof Error
          ? e.message
          : String(e);
    process.stderr.write(`duely: ${message}\n`);
    return 1;
  }
}
