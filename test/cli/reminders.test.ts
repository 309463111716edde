import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withCliApp } from '../../src/cli/context';
import { runCli } from '../../src/cli/main';
import { STANDARD } from '../../src/domain/sequences/builtins';
import { createTestDatabase } from '../support/db';
import { seedFirm, type Firm } from '../support/tenancy';

/** `duely plan`, `run`, `sequence import` and `sequence export`, in-process on their own data directory. */
describe('duely plan / run / sequence', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  let firm: Firm;
  const env = { ...process.env };
  let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duely-cli-rem-'));
    process.env.DATA_DIR = dir;
    process.env.LOG_LEVEL = 'silent';
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase();
      process.env.DATABASE_URL = database.url!;
    }
    expect(await runCli(['migrate'])).toBe(0);
    firm = await withCliApp((app) => seedFirm(app, 'Reminder Cli'));
    expect(await runCli(['org', 'update', '--org', firm.slug, '--automation', 'live'])).toBe(0);
  });
  afterAll(async () => {
    process.env = env;
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  });
  afterEach(() => jest.restoreAllMocks());

  const json = () => JSON.parse(out.join('')) as Record<string, unknown>;
  const cli = async (...args: string[]) => {
    out = [];
    err = [];
    return runCli(args);
  };
  const file = (name: string, body: unknown) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  };

  it('plan --json prints the plan of CONTRACT §4', async () => {
    expect(await cli('--json', 'plan', '--org', firm.slug, '--as-of', '2026-11-03')).toBe(0);
    expect(json()).toEqual({
      asOf: '2026-11-03',
      actions: [
        {
          customerId: firm.customerId,
          invoiceIds: [firm.invoiceId],
          sequenceKey: 'standard',
          stepKey: 'overdue-3',
          channel: 'email',
          sendAt: '2026-11-03T09:00:00.000Z',
          live: true,
        },
      ],
      skipped: [{ invoiceId: firm.invoiceId, reason: 'superseded' }],
    });
  });

  it('run --json sends the due reminder once; a second run sends nothing new', async () => {
    expect(await cli('--json', 'run', '--org', firm.slug, '--as-of', '2026-11-03')).toBe(0);
    const first = json();
    expect(first.results).toEqual([{ idempotencyKey: expect.any(String), status: 'sent' }]);
    expect(first.actions).toHaveLength(1);
    expect(await cli('--json', 'run', '--org', firm.slug, '--as-of', '2026-11-03')).toBe(0);
    expect(json()).toMatchObject({ asOf: '2026-11-03', actions: [], results: [] });
  });

  it('rejects a bad --as-of with the reason on stderr', async () => {
    expect(await cli('--json', 'plan', '--org', firm.slug, '--as-of', '2026-13-40')).toBe(1);
    expect(err.join('')).toMatch(/--as-of: "2026-13-40" is not a date/);
    expect(out.join('')).toBe('');
  });

  it('sequence export prints the §5 format; an import with an unknown template is rejected whole', async () => {
    expect(await cli('--json', 'sequence', 'export', '--org', firm.slug, '--key', 'standard')).toBe(0);
    const exported = json();
    expect(exported).toEqual(JSON.parse(JSON.stringify(STANDARD)));

    const bad = {
      sequences: [
        { ...STANDARD, name: 'Changed' },
        {
          key: 'extra',
          name: 'Extra',
          steps: [{ key: 'a', offsetDays: 1, channel: 'email', template: 'nope' }],
        },
      ],
    };
    expect(
      await cli('--json', 'sequence', 'import', '--org', firm.slug, '--file', file('bad.json', bad)),
    ).toBe(1);
    expect(err.join('')).toMatch(/sequences\[1\]\.steps\[0\]\.template: unknown template "nope"/);
    expect(out.join('')).toBe('');
    expect(await cli('--json', 'sequence', 'export', '--org', firm.slug)).toBe(0);
    const all = json() as { sequences: { key: string; name: string }[] };
    expect(all.sequences.map((s) => s.key)).toEqual(['firm', 'gentle', 'onboarding', 'standard']);
    expect(all.sequences.find((s) => s.key === 'standard')!.name).toBe('Standard');

    expect(
      await cli('sequence', 'import', '--org', firm.slug, '--file', file('syntax.json', '{"key":')),
    ).toBe(1);
    expect(err.join('')).toMatch(/\(root\): not valid JSON/);
  });

  it('sequence import makes a new version of a changed sequence and leaves an unchanged one', async () => {
    const changed = { ...STANDARD, steps: STANDARD.steps.slice(1) };
    const f = file('changed.json', changed);
    expect(await cli('--json', 'sequence', 'import', '--org', firm.slug, '--file', f)).toBe(0);
    expect(json()).toEqual({ sequences: [{ key: 'standard', version: 2, status: 'updated' }] });
    expect(await cli('--json', 'sequence', 'import', '--org', firm.slug, '--file', f)).toBe(0);
    expect(json()).toEqual({ sequences: [{ key: 'standard', version: 2, status: 'unchanged' }] });
    expect(await cli('--json', 'sequence', 'export', '--org', firm.slug, '--key', 'standard')).toBe(0);
    expect((json() as { steps: unknown[] }).steps).toHaveLength(STANDARD.steps.length - 1);
    // the step already sent under version 1 is not sent again under version 2
    expect(await cli('--json', 'run', '--org', firm.slug, '--as-of', '2026-11-03')).toBe(0);
    expect(json()).toMatchObject({ actions: [], results: [] });
  });
});
