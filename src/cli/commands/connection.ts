import type { Command } from 'commander';
import { eq } from 'drizzle-orm';
import { connections } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { addConnectionFromRefreshToken } from '../../services/connections/lifecycle';
import { NotFoundError } from '../../services/errors';
import { findOrganization } from '../../services/organizations';
import { runSync } from '../../services/sync/runSync';
import { withCliApp } from '../context';
import { CliError, output } from '../output';

const CLI_ACTOR = { type: 'system' as const, id: 'cli' };

export function registerConnectionCommands(program: Command): void {
  program
    .command('connection')
    .description('connections to QuickBooks Online and Xero')
    .command('add')
    .requiredOption('--org <slug>', 'firm slug or id')
    .requiredOption('--platform <platform>', 'quickbooks | xero')
    .option('--realm-id <id>', 'QuickBooks company (realm) id')
    .option('--tenant-id <id>', 'Xero tenant id')
    .requiredOption('--refresh-token <token>', 'a refresh token of the grant')
    .description("exchange a refresh token at the platform's token endpoint and store the tokens encrypted")
    .action(
      async (o: {
        org: string;
        platform: string;
        realmId?: string;
        tenantId?: string;
        refreshToken: string;
      }) => {
        const tenant = o.platform === 'xero' ? o.tenantId : o.realmId;
        if (!tenant)
          throw new CliError(
            o.platform === 'xero'
              ? '--tenant-id is required for xero'
              : '--realm-id is required for quickbooks',
          );
        await withCliApp(async (app) => {
          const org = await findOrganization(app.db, o.org);
          const c = await addConnectionFromRefreshToken(
            app,
            new OrgScope(app.db, org.id),
            { platform: o.platform, externalTenantId: tenant, refreshToken: o.refreshToken },
            CLI_ACTOR,
          );
          output(
            Boolean(program.opts().json),
            { id: c.id },
            `connected ${c.displayName ?? tenant} (${c.id})`,
          );
        });
      },
    );

  program
    .command('sync')
    .requiredOption('--org <slug>', 'firm slug or id')
    .option('--connection <id>', 'one connection (default: every connected one)')
    .option('--full', 'full sync instead of incremental')
    .description('run a sync to completion')
    .action(async (o: { org: string; connection?: string; full?: boolean }) => {
      await withCliApp(async (app) => {
        const org = await findOrganization(app.db, o.org);
        const scope = new OrgScope(app.db, org.id);
        const list = o.connection
          ? await scope.findById(connections, o.connection).then((c) => (c ? [c] : []))
          : await scope.select(connections, eq(connections.status, 'connected'));
        if (!list.length)
          throw o.connection
            ? new NotFoundError(`connection ${o.connection}`)
            : new CliError(`${org.slug} has no connected company; add one with \`duely connection add\``);
        const results = [];
        for (const c of list) {
          const s = await runSync(app, {
            organizationId: org.id,
            connectionId: c.id,
            mode: o.full ? 'full' : 'incremental',
            trigger: 'cli',
          });
          results.push(s);
        }
        const failed = results.filter((r) => r.status === 'failed' || r.status === 'postponed');
        const one = results.length === 1 ? results[0]! : null;
        const doc = one
          ? {
              syncRunId: one.syncRunId,
              status: one.status,
              customers: one.customers,
              invoices: one.invoices,
              payments: one.payments,
              creditNotes: one.creditNotes,
              apiCalls: one.apiCalls,
              errors: one.errors,
            }
          : {
              runs: results.map((r) => ({
                syncRunId: r.syncRunId,
                status: r.status,
                customers: r.customers,
                invoices: r.invoices,
                payments: r.payments,
                creditNotes: r.creditNotes,
                apiCalls: r.apiCalls,
                errors: r.errors,
              })),
            };
        output(
          Boolean(program.opts().json),
          doc,
          results
            .map(
              (r) =>
                `${r.status}: ${r.customers} customers, ${r.invoices} invoices, ${r.payments} payments, ${r.creditNotes} credit notes, ${r.apiCalls} API calls, ${r.errors.length} record errors${r.failureReason ? ` (${r.failureReason})` : ''}`,
            )
            .join('\n'),
        );
        if (failed.length)
          throw new CliError(`sync ${failed[0]!.status}: ${failed[0]!.failureReason ?? 'see the sync run'}`);
      });
    });
}
