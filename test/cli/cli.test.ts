import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startQuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { runCli } from '../../src/cli/main';
import { createTestDatabase } from '../support/db';

/** The CLI in-process, on its own embedded data directory (or the CI PostgreSQL). */
describe('duely CLI', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  const env = { ...process.env };
  let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duely-cli-'));
    process.env.DATA_DIR = dir;
    process.env.LOG_LEVEL = 'silent';
    if (process.env.DATABASE_URL) {
      // on PostgreSQL (CI) the CLI works in a database of its own
      database = await createTestDatabase();
      process.env.DATABASE_URL = database.url!;
    }
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

  const json = () => JSON.parse(out.join('')) as Record<string, string>;
  const slug = `cli-${Date.now().toString(36)}`;

  it('migrates, creates a firm, a user and an API token, printing JSON', async () => {
    expect(await runCli(['migrate'])).toBe(0);
    out = [];
    expect(
      await runCli([
        '--json',
        'org',
        'create',
        '--name',
        'Zeta Services',
        '--slug',
        slug,
        '--timezone',
        'America/Chicago',
        '--country',
        'US',
        '--currency',
        'USD',
      ]),
    ).toBe(0);
    expect(json()).toEqual({ id: expect.any(String), slug });
    out = [];
    expect(await runCli(['--json', 'org', 'update', '--org', slug, '--automation', 'live'])).toBe(0);
    expect(json()).toMatchObject({ slug, automation: 'live' });
    out = [];
    expect(await runCli(['--json', 'token', 'create', '--org', slug, '--name', 'ci'])).toBe(0);
    expect(json().token).toMatch(/^duely_[A-Za-z0-9_-]{40,}$/);
  });

  it('fails with the reason on stderr and a non-zero exit code', async () => {
    expect(
      await runCli(['--json', 'org', 'create', '--name', 'Bad Zone', '--timezone', 'Mars/Olympus']),
    ).toBe(1);
    expect(err.join('')).toMatch(/timezone: must be an IANA time zone/);
    expect(out.join('')).toBe('');
    expect(await runCli(['--json', 'org', 'update', '--org', 'no-such-firm', '--automation', 'live'])).toBe(
      1,
    );
    expect(err.join('')).toMatch(/organization "no-such-firm" not found/);
    expect(await runCli(['--json', 'org', 'create', '--name', 'Dup', '--slug', slug])).toBe(1);
    expect(err.join('')).toMatch(/already exists/);
    expect(await runCli(['org', 'update', '--org', slug, '--automation', 'sometimes'])).toBe(1);
    expect(err.join('')).toMatch(/automation: must be off, preview or live/);
  });

  it('adds a QuickBooks connection from a refresh token and syncs it to completion', async () => {
    const emu = await startQuickBooksEmulator({
      company: { seed: 11, customers: 12, invoices: 50, asOf: '2026-11-20' },
      clientId: 'cli-qb',
      clientSecret: 'cli-qbs',
    });
    Object.assign(process.env, {
      QUICKBOOKS_CLIENT_ID: 'cli-qb',
      QUICKBOOKS_CLIENT_SECRET: 'cli-qbs',
      QUICKBOOKS_BASE_URL: emu.url,
    });
    try {
      expect(
        await runCli([
          '--json',
          'connection',
          'add',
          '--org',
          slug,
          '--platform',
          'quickbooks',
          '--realm-id',
          emu.realmId,
          '--refresh-token',
          emu.issueRefreshToken(),
        ]),
      ).toBe(0);
      expect(json()).toEqual({ id: expect.any(String) });
      out = [];
      expect(await runCli(['--json', 'sync', '--org', slug, '--full'])).toBe(0);
      const r = json() as unknown as Record<string, unknown>;
      expect(r).toMatchObject({
        syncRunId: expect.any(String),
        status: 'succeeded',
        customers: 12,
        invoices: 50,
        creditNotes: expect.any(Number),
        payments: expect.any(Number),
        apiCalls: expect.any(Number),
        errors: [],
      });
      out = [];
      expect(
        await runCli([
          '--json',
          'connection',
          'add',
          '--org',
          slug,
          '--platform',
          'quickbooks',
          '--realm-id',
          emu.realmId,
          '--refresh-token',
          'not-a-valid-token',
        ]),
      ).toBe(1);
      expect(err.join('')).toMatch(/invalid_grant|reconnect|refresh/i);
      expect(
        await runCli([
          '--json',
          'connection',
          'add',
          '--org',
          slug,
          '--platform',
          'sage',
          '--realm-id',
          'x',
          '--refresh-token',
          'y',
        ]),
      ).toBe(1);
      expect(err.join('')).toMatch(/"sage" is not a configured platform/);
    } finally {
      await emu.close();
      for (const k of ['QUICKBOOKS_CLIENT_ID', 'QUICKBOOKS_CLIENT_SECRET', 'QUICKBOOKS_BASE_URL'])
        delete process.env[k];
    }
  });

  it('reads the password of a new user from stdin and refuses an empty or short one', async () => {
    expect(
      await runCli(['--json', 'user', 'create', '--org', slug, '--email', 'x@y.test', '--role', 'clerk'], {
        stdin: '',
      }),
    ).toBe(1);
    expect(err.join('')).toMatch(/password on stdin/);
    expect(
      await runCli(['--json', 'user', 'create', '--org', slug, '--email', 'x@y.test', '--role', 'clerk'], {
        stdin: 'short\n',
      }),
    ).toBe(1);
    expect(err.join('')).toMatch(/password: must be at least 10 characters/);
    expect(
      await runCli(['--json', 'user', 'create', '--org', slug, '--email', 'x@y.test', '--role', 'clerk'], {
        stdin: 'a-long-password\n',
      }),
    ).toBe(0);
    expect(json()).toEqual({ id: expect.any(String) });
  });
});
