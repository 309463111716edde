import fs from 'node:fs';
import type { Command } from 'commander';
import { OrgScope } from '../../db/scope';
import { findOrganization } from '../../services/organizations';
import { exportSequences, importSequenceText } from '../../services/sequences';
import { withCliApp } from '../context';
import { CliError, output } from '../output';

const CLI_ACTOR = { type: 'system' as const, id: 'cli' };

export function registerSequenceCommands(program: Command): void {
  const seq = program.command('sequence').description('reminder sequences (CONTRACT.md §5 format)');
  seq
    .command('import')
    .description('import one sequence or {"sequences":[…]}; an invalid file changes nothing')
    .requiredOption('--org <slug>', 'firm slug or id')
    .requiredOption('--file <path>', 'sequence file (JSON)')
    .action(async (o: { org: string; file: string }) => {
      let text: string;
      try {
        text = fs.readFileSync(o.file, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${o.file}: ${(e as Error).message}`);
      }
      await withCliApp(async (app) => {
        const org = await findOrganization(app.db, o.org);
        const result = await importSequenceText(new OrgScope(app.db, org.id), text, CLI_ACTOR);
        output(
          Boolean(program.opts().json),
          result as unknown as Record<string, unknown>,
          result.sequences.map((s) => `${s.key}: ${s.status} (version ${s.version})`).join('\n'),
        );
      });
    });
  seq
    .command('export')
    .description('print the current version of one sequence, or all of them as {"sequences":[…]}')
    .requiredOption('--org <slug>', 'firm slug or id')
    .option('--key <key>', 'only this sequence')
    .action(async (o: { org: string; key?: string }) => {
      await withCliApp(async (app) => {
        const org = await findOrganization(app.db, o.org);
        // the file format is JSON already: the same document with or without --json
        process.stdout.write(await exportSequences(new OrgScope(app.db, org.id), o.key));
      });
    });
}
