import { eq } from 'drizzle-orm';
import { sequences, sequenceVersions } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { GENTLE, STANDARD } from '../../src/domain/sequences/builtins';
import {
  exportSequences,
  getSequence,
  importSequences,
  importSequenceText,
  listSequences,
  SequenceFileRejected,
} from '../../src/services/sequences';
import { createOrganization } from '../../src/services/organizations';
import { resetTemplate, saveTemplate, templateKeys } from '../../src/services/templates';
import { createTestApp, type TestApp } from '../support/app';

const SYS = { type: 'system' as const, id: null };

describe('sequences service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const firm = async (name: string) =>
    new OrgScope(t.app.db, (await createOrganization(t.app.db, { name })).id);
  const versions = async (scope: OrgScope) =>
    t.app.db
      .select({ key: sequences.key, version: sequenceVersions.version })
      .from(sequenceVersions)
      .innerJoin(sequences, eq(sequences.id, sequenceVersions.sequenceId))
      .where(eq(sequences.organizationId, scope.organizationId))
      .orderBy(sequences.key, sequenceVersions.version);

  it('seeds the built-ins once on first use, even when asked concurrently; standard is the default', async () => {
    const scope = await firm('Seed Once');
    const lists = await Promise.all([listSequences(scope), listSequences(scope), listSequences(scope)]);
    for (const l of lists) expect(l.map((s) => s.key)).toEqual(['firm', 'gentle', 'onboarding', 'standard']);
    expect(await versions(scope)).toEqual([
      { key: 'firm', version: 1 },
      { key: 'gentle', version: 1 },
      { key: 'onboarding', version: 1 },
      { key: 'standard', version: 1 },
    ]);
    expect((await listSequences(scope)).filter((s) => s.isDefault).map((s) => s.key)).toEqual(['standard']);
  });

  it('rejects a file with one bad sequence whole, with the path, and changes nothing', async () => {
    const scope = await firm('Reject Whole');
    const file = {
      sequences: [
        { ...STANDARD, name: 'Renamed' },
        {
          key: 'extra',
          name: 'Extra',
          steps: [{ key: 'a', offsetDays: 1, channel: 'email', template: 'nope' }],
        },
      ],
    };
    const err = await importSequences(scope, file, SYS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SequenceFileRejected);
    expect((err as SequenceFileRejected).errors).toEqual([
      {
        path: 'sequences[1].steps[0].template',
        message: 'unknown template "nope" in step "a" (neither a built-in template nor one of the firm\'s)',
      },
    ]);
    expect((await getSequence(scope, 'standard')).name).toBe('Standard');
    expect((await listSequences(scope)).map((s) => s.key)).not.toContain('extra');
    await expect(importSequenceText(scope, '{ not json', SYS)).rejects.toThrow(/\(root\): not valid JSON/);
  });

  it('an exported file imports back unchanged; a new key is created at version 1', async () => {
    const scope = await firm('Round Trip');
    const text = await exportSequences(scope);
    const again = await importSequenceText(scope, text, SYS);
    expect(again.sequences.map((s) => s.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    const created = await importSequences(
      scope,
      { key: 'vip', name: 'VIP', steps: [STANDARD.steps[1]!] },
      SYS,
    );
    expect(created).toEqual({ sequences: [{ key: 'vip', version: 1, status: 'created' }] });
  });

  it('"default": true moves the default to the imported sequence', async () => {
    const scope = await firm('Default Moves');
    await importSequences(scope, { ...GENTLE, default: true }, SYS);
    const all = JSON.parse(await exportSequences(scope)) as {
      sequences: { key: string; default?: boolean }[];
    };
    expect(all.sequences.filter((s) => s.default).map((s) => s.key)).toEqual(['gentle']);
    expect((await getSequence(scope, 'gentle')).version).toBe(1);
  });

  it("one firm's import does not touch another firm's sequences", async () => {
    const a = await firm('Iso A');
    const b = await firm('Iso B');
    await importSequences(a, { ...STANDARD, steps: STANDARD.steps.slice(2) }, SYS);
    expect((await getSequence(a, 'standard')).version).toBe(2);
    expect((await getSequence(b, 'standard')).version).toBe(1);
  });

  describe("steps naming the firm's own templates", () => {
    const OWN_BODY = [
      '<mj-text>',
      '  <p>Dear {{contactName}}, {{totalDue}} is open for {{invoiceSummary}}.</p>',
      '  {{invoiceTable}}',
      '</mj-text>',
      '<mj-button href="{{portalUrl}}">Settle now</mj-button>',
    ].join('\n');
    const withCourtesy = {
      key: 'courteous',
      name: 'Courteous',
      steps: [
        { key: 'due', offsetDays: 0, channel: 'email', template: 'due-today' },
        { key: 'nudge-7', offsetDays: 7, channel: 'email', template: 'courtesy-nudge' },
        { key: 'call-12', offsetDays: 12, channel: 'call', template: 'overdue-call' },
      ],
    };

    it('accepts a step that names a template the firm saved, but not in a firm that has no such template', async () => {
      const a = await firm('Own Template A');
      const b = await firm('Own Template B');
      await saveTemplate(t.app, a, 'courtesy-nudge', { subject: 'A gentle nudge', body: OWN_BODY }, SYS);

      expect(await importSequences(a, withCourtesy, SYS)).toEqual({
        sequences: [{ key: 'courteous', version: 1, status: 'created' }],
      });
      expect((await getSequence(a, 'courteous')).definition.steps[1]?.template).toBe('courtesy-nudge');

      const err = await importSequences(b, withCourtesy, SYS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SequenceFileRejected);
      expect((err as Error).message).toBe(
        'sequence file rejected: steps[1].template: unknown template "courtesy-nudge" in step "nudge-7" (neither a built-in template nor one of the firm\'s)',
      );
      expect((await listSequences(b)).map((s) => s.key)).not.toContain('courteous');
    });

    it('refuses to delete a firm template a step still names; once deleted, a step naming it is rejected', async () => {
      const scope = await firm('Deleted Template');
      await saveTemplate(t.app, scope, 'courtesy-nudge', { subject: 'A gentle nudge', body: OWN_BODY }, SYS);
      await importSequences(scope, withCourtesy, SYS);
      await expect(resetTemplate(scope, 'courtesy-nudge', SYS)).rejects.toThrow(
        'template "courtesy-nudge" is used by sequence "courteous" step "nudge-7": choose another template there before deleting it',
      );
      expect(await templateKeys(scope)).toContain('courtesy-nudge');

      const steps = withCourtesy.steps.map((st) =>
        st.key === 'nudge-7' ? { ...st, template: 'overdue' } : st,
      );
      await importSequences(scope, { ...withCourtesy, steps }, SYS);
      expect(await resetTemplate(scope, 'courtesy-nudge', SYS)).toBeNull();
      expect(await templateKeys(scope)).not.toContain('courtesy-nudge');

      const err = await importSequences(scope, { ...withCourtesy, name: 'Courteous (edited)' }, SYS).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SequenceFileRejected);
      expect((err as SequenceFileRejected).errors).toEqual([
        {
          path: 'steps[1].template',
          message:
            'unknown template "courtesy-nudge" in step "nudge-7" (neither a built-in template nor one of the firm\'s)',
        },
      ]);
      const kept = await getSequence(scope, 'courteous');
      expect([kept.name, kept.version, kept.definition.steps[1]?.template]).toEqual([
        'Courteous',
        2,
        'overdue',
      ]);
    });
  });
});
