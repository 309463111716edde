import type { Command } from 'commander';
import { createOrganization, findOrganization, updateOrganization } from '../../services/organizations';
import { withCliApp } from '../context';
import { output } from '../output';

const CLI_ACTOR = { type: 'system' as const, id: 'cli' };

export function registerOrgCommands(program: Command): void {
  const org = program.command('org').description('firms (organizations)');
  org
    .command('create')
    .requiredOption('--name <name>', 'firm name')
    .option('--slug <slug>', 'short id used by the CLI')
    .option('--timezone <zone>', 'IANA time zone, e.g. America/Chicago', 'UTC')
    .option('--country <cc>', 'ISO country code for business days', 'US')
    .option('--currency <cur>', 'base currency', 'USD')
    .action(
      async (o: { name: string; slug?: string; timezone: string; country: string; currency: string }) => {
        await withCliApp(async (app) => {
          const created = await createOrganization(app.db, o);
          output(
            Boolean(program.opts().json),
            { id: created.id, slug: created.slug },
            `created ${created.name} (${created.slug})`,
          );
        });
      },
    );
  org
    .command('update')
    .requiredOption('--org <slug>', 'firm slug or id')
    .option('--name <name>')
    .option('--automation <mode>', 'off | preview | live')
    .option('--timezone <zone>')
    .option('--country <cc>')
    .option('--currency <cur>')
    .action(
      async (o: {
        org: string;
        name?: string;
        automation?: string;
        timezone?: string;
        country?: string;
        currency?: string;
      }) => {
        await withCliApp(async (app) => {
          const found = await findOrganization(app.db, o.org);
          const updated = await updateOrganization(
            app.db,
            found.id,
            {
              name: o.name,
              automation: o.automation as never,
              timezone: o.timezone,
              country: o.country,
              currency: o.currency,
            },
            CLI_ACTOR,
          );
          output(
            Boolean(program.opts().json),
            { id: updated.id, slug: updated.slug, automation: updated.automation },
            `updated ${updated.slug}: automation ${updated.automation}`,
          );
        });
      },
    );
}
