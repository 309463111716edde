import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseEnv } from '../../src/config/env';

const KEY = Buffer.alloc(32, 7).toString('base64');
const prod = {
  NODE_ENV: 'production',
  ENCRYPTION_KEY: KEY,
  SESSION_SECRET: 'x'.repeat(40),
  BASE_URL: 'https://ar.example.com',
};

function failure(env: Record<string, string>): ConfigError {
  try {
    parseEnv(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('runs on embedded defaults with nothing set', () => {
    const c = parseEnv({});
    expect(c.PORT).toBe(3000);
    expect(c.BASE_URL).toBe('http://localhost:3000');
    expect(c.DATA_DIR).toBe('./.data');
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.MAIL_FROM).toBe('Duely <ar@localhost>');
    expect(c.LOG_LEVEL).toBe('info');
    expect(c.demo).toBe(true);
  });

  it('derives BASE_URL from PORT', () => {
    expect(parseEnv({ PORT: '8080' }).BASE_URL).toBe('http://localhost:8080');
  });

  it.each([
    ['ENCRYPTION_KEY', { ...prod, ENCRYPTION_KEY: undefined }, /ENCRYPTION_KEY is missing/],
    ['SESSION_SECRET', { ...prod, SESSION_SECRET: undefined }, /SESSION_SECRET is missing/],
    ['BASE_URL', { ...prod, BASE_URL: undefined }, /BASE_URL is missing/],
  ])('requires %s in production', (name, env, message) => {
    const e = failure(
      Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>,
    );
    expect(e.variable).toBe(name);
    expect(e.message).toMatch(message);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it.each([
    ['PORT', 'eighty', /PORT is invalid/],
    ['PORT', '70000', /PORT is invalid: must be between 0 and 65535/],
    ['BASE_URL', 'localhost:3000', /BASE_URL is invalid: must be a URL/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL is invalid: must be a URL starting with postgres:/],
    ['REDIS_URL', 'http://redis', /REDIS_URL is invalid/],
    ['SMTP_URL', 'mail.example.com', /SMTP_URL is invalid/],
    ['ENCRYPTION_KEY', 'too-short', /ENCRYPTION_KEY is invalid: must be 32 bytes/],
    ['SESSION_SECRET', 'short', /SESSION_SECRET is invalid: must be at least 32 characters/],
    [
      'QUICKBOOKS_ENVIRONMENT',
      'staging',
      /QUICKBOOKS_ENVIRONMENT is invalid: must be "sandbox" or "production"/,
    ],
    ['QUICKBOOKS_BASE_URL', 'ftp://x', /QUICKBOOKS_BASE_URL is invalid/],
    ['XERO_BASE_URL', 'nope', /XERO_BASE_URL is invalid/],
    ['STRIPE_BASE_URL', 'nope', /STRIPE_BASE_URL is invalid/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL is invalid/],
    ['NODE_ENV', 'staging', /NODE_ENV is invalid/],
    ['MAIL_FROM', 'x', /MAIL_FROM is invalid/],
  ])('names %s when it is malformed', (name, value, message) => {
    const e = failure({ [name]: value });
    expect(e.variable).toBe(name);
    expect(e.message).toMatch(message);
  });

  it('needs both halves of a platform credential', () => {
    expect(failure({ QUICKBOOKS_CLIENT_ID: 'abc' }).message).toBe(
      'QUICKBOOKS_CLIENT_SECRET is missing: it is required when QUICKBOOKS_CLIENT_ID is set',
    );
    expect(failure({ XERO_CLIENT_SECRET: 'abc' }).variable).toBe('XERO_CLIENT_ID');
    expect(failure({ STRIPE_SECRET_KEY: 'sk_test' }).variable).toBe('STRIPE_WEBHOOK_SECRET');
  });

  it('leaves demo mode when platform credentials are set or in production', () => {
    expect(parseEnv({ XERO_CLIENT_ID: 'a', XERO_CLIENT_SECRET: 'b' }).demo).toBe(false);
    expect(parseEnv(prod).demo).toBe(false);
  });
});

describe('.env.example', () => {
  it('lists every variable of the schema and parses as it stands', () => {
    const text = fs.readFileSync(path.join(__dirname, '../../.env.example'), 'utf8');
    const vars = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const name of [
      'PORT',
      'BASE_URL',
      'DATA_DIR',
      'DATABASE_URL',
      'REDIS_URL',
      'WEB_CONCURRENCY',
      'SMTP_URL',
      'MAIL_FROM',
      'ENCRYPTION_KEY',
      'SESSION_SECRET',
      'QUICKBOOKS_CLIENT_ID',
      'QUICKBOOKS_CLIENT_SECRET',
      'QUICKBOOKS_ENVIRONMENT',
      'QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN',
      'QUICKBOOKS_BASE_URL',
      'XERO_CLIENT_ID',
      'XERO_CLIENT_SECRET',
      'XERO_WEBHOOK_KEY',
      'XERO_BASE_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_BASE_URL',
      'LOG_LEVEL',
    ]) {
      expect(Object.keys(vars)).toContain(name);
    }
    expect(parseEnv(vars).demo).toBe(true);
  });

  it('runs one web process unless asked, and more only on PostgreSQL with Redis', () => {
    expect(parseEnv({}).WEB_CONCURRENCY).toBe(1);
    const shared = { DATABASE_URL: 'postgres://u:p@db:5432/duely', REDIS_URL: 'redis://cache:6379' };
    expect(parseEnv({ ...shared, WEB_CONCURRENCY: '2' }).WEB_CONCURRENCY).toBe(2);
    expect(failure({ WEB_CONCURRENCY: '2' }).message).toMatch(
      /^WEB_CONCURRENCY is invalid: more than one web process needs DATABASE_URL and REDIS_URL/,
    );
    expect(failure({ DATABASE_URL: shared.DATABASE_URL, WEB_CONCURRENCY: '2' }).variable).toBe(
      'WEB_CONCURRENCY',
    );
    expect(failure({ ...shared, WEB_CONCURRENCY: '0' }).message).toMatch(/between 1 and 64/);
    expect(failure({ ...shared, WEB_CONCURRENCY: 'many' }).message).toMatch(/number of processes/);
  });
});
