import type { Command } from 'commander';
import { OrgScope } from '../../db/scope';
import { createApiToken } from '../../services/apiTokens';
import { findOrganization } from '../../services/organizations';
import { createUser } from '../../services/users';
import { readStdin, withCliApp } from '../context';
import { CliError, output } from '../output';

const CLI_ACTOR = { type: 'system' as const, id: 'cli' };

export function registerUserCommands(program: Command): void {
  program
    .command('user')
    .description('team members')
    .command('create')
    .requiredOption('--org <slug>', 'firm slug or id')
    .requiredOption('--email <email>')
    .requiredOption('--role <role>', 'owner | admin | clerk | viewer')
    .option('--name <name>')
    .description('create a user; the password is read from stdin')
    .action(async (o: { org: string; email: string; role: string; name?: string }) => {
      const password = await readStdin();
      if (!password)
        throw new CliError('give the password on stdin, e.g. `echo "$PASSWORD" | duely user create …`');
      await withCliApp(async (app) => {
        const org = await findOrganization(app.db, o.org);
        const user = await createUser(
          app.db,
          { organizationId: org.id, email: o.email, name: o.name, role: o.role as never, password },
          CLI_ACTOR,
        );
        output(
          Boolean(program.opts().json),
          { id: user.id },
          `created ${user.email} as ${o.role} of ${org.slug}`,
        );
      });
    });

  program
    .command('token')
    .description('API tokens')
    .command('create')
    .requiredOption('--org <slug>', 'firm slug or id')
    .option('--name <name>', 'what the token is for', 'cli')
    .action(async (o: { org: string; name: string }) => {
      await withCliApp(async (app) => {
        const org = await findOrganization(app.db, o.org);
        const { token } = await createApiToken(new OrgScope(app.db, org.id), o.name, CLI_ACTOR);
        output(Boolean(program.opts().json), { token }, token);
      });
    });
}
