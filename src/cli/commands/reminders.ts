import type { Command } from 'commander';
import { isLocalDate } from '../../domain/calendar';
import { findOrganization } from '../../services/organizations';
import { planForFirm, runForFirm, type PlanDocument, type RunDocument } from '../../services/reminders/run';
import { withCliApp } from '../context';
import { CliError, output } from '../output';

function asOfOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isLocalDate(value)) throw new CliError(`--as-of: "${value}" is not a date YYYY-MM-DD`);
  return value;
}

function summary(doc: PlanDocument | RunDocument): string {
  const lines = doc.actions.map(
    (a) =>
      `${a.sendAt}  ${a.live ? 'live   ' : 'preview'}  ${a.channel.padEnd(6)} ${a.sequenceKey}/${a.stepKey}  customer ${a.customerId}  ${a.invoiceIds.length} invoice(s)`,
  );
  const reasons = new Map<string, number>();
  for (const s of doc.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  lines.push(
    `${doc.actions.length} action(s) as of ${doc.asOf}; skipped: ${
      [...reasons].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'
    }`,
  );
  if ('results' in doc) {
    const by = new Map<string, number>();
    for (const r of doc.results) by.set(r.status, (by.get(r.status) ?? 0) + 1);
    lines.push(`results: ${[...by].map(([s, n]) => `${s} ${n}`).join(', ') || 'nothing to do'}`);
  }
  return lines.join('\n');
}

export function registerReminderCommands(program: Command): void {
  program
    .command('plan')
    .description('dry run of the reminder planner: what would be sent, and what is skipped and why')
    .requiredOption('--org <slug>', 'firm slug or id')
    .option('--as-of <date>', 'plan for this day (YYYY-MM-DD); default now')
    .action(async (o: { org: string; asOf?: string }) => {
      const asOf = asOfOption(o.asOf);
      await withCliApp(async (app) => {
        const org = await findOrganization(app.db, o.org);
        const doc = await planForFirm(app, org.id, asOf);
        output(Boolean(program.opts().json), doc as unknown as Record<string, unknown>, summary(doc));
      });
    });
  program
    .command('run')
    .description('carry out the live actions of the plan, once')
    .requiredOption('--org <slug>', 'firm slug or id')
    .option('--as-of <date>', 'run for this day (YYYY-MM-DD); default now')
    .action(async (o: { org: string; asOf?: string }) => {
      const asOf = asOfOption(o.asOf);
      await withCliApp(async (app) => {
        const org = await findOrganization(app.db, o.org);
        // this process has no queue workers: it delivers the e-mails itself; the notes to the
        // books are rows that the running app's write-back sweep carries out
        const doc = await runForFirm(app, org.id, asOf, { deliverNow: true });
        output(Boolean(program.opts().json), doc as unknown as Record<string, unknown>, summary(doc));
        const failed = doc.results.filter((r) => r.status === 'failed');
        if (failed.length > 0) {
          throw new CliError(
            `${failed.length} action(s) failed and will be retried on the next run; first: ${failed[0]!.error ?? 'unknown error'}`,
          );
        }
      });
    });
}
