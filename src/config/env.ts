import { z } from 'zod';

/**
 * Every variable of CONTRACT.md §2, parsed once at boot. A bad or missing variable stops the
 * process with one line naming it (see ConfigError).
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`,
    );

const optionalUrl = (protocols: string[]) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), url(protocols).optional());

const base64Key = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes encoded in base64 (e.g. `openssl rand -base64 32`)',
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(3000),
  /** Processes the web entry (Procfile `web`) runs behind one port; PostgreSQL + Redis only. */
  WEB_CONCURRENCY: z.coerce
    .number({ message: 'must be a number of processes' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 64')
    .max(64, 'must be between 1 and 64')
    .default(1),
  BASE_URL: optionalUrl(['http:', 'https:']),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./.data'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
  MAIL_FROM: z
    .string()
    .trim()
    .min(3, 'must be an address like "Duely <ar@example.com>"')
    .default('Duely <ar@localhost>'),
  ENCRYPTION_KEY: base64Key.optional(),
  /** Earlier keys, comma-separated, kept so rows encrypted before a rotation still decrypt. */
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .trim()
    .optional()
    .refine(
      (v) =>
        !v || v.split(',').every((k) => k.trim() === '' || Buffer.from(k.trim(), 'base64').length === 32),
      'must be a comma-separated list of 32-byte base64 keys',
    ),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  QUICKBOOKS_CLIENT_ID: optionalString,
  QUICKBOOKS_CLIENT_SECRET: optionalString,
  QUICKBOOKS_ENVIRONMENT: z
    .enum(['sandbox', 'production'], { message: 'must be "sandbox" or "production"' })
    .default('sandbox'),
  QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: optionalString,
  QUICKBOOKS_BASE_URL: optionalUrl(['http:', 'https:']),
  XERO_CLIENT_ID: optionalString,
  XERO_CLIENT_SECRET: optionalString,
  XERO_WEBHOOK_KEY: optionalString,
  XERO_BASE_URL: optionalUrl(['http:', 'https:']),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_BASE_URL: optionalUrl(['http:', 'https:']),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

export type RawEnv = z.infer<typeof envSchema>;

export interface Config extends Omit<RawEnv, 'BASE_URL'> {
  BASE_URL: string;
  /** Demo mode: no platform credentials and not production. */
  demo: boolean;
  quickbooksConfigured: boolean;
  xeroConfigured: boolean;
  stripeConfigured: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
  }
}

/** Pairs that only make sense together. */
const PAIRS: [string, string][] = [
  ['QUICKBOOKS_CLIENT_ID', 'QUICKBOOKS_CLIENT_SECRET'],
  ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'],
];

export function parseEnv(env: NodeJS.ProcessEnv): Config {
  // an empty value (`FOO=` in .env) means unset
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const value = env[variable];
    const problem = value === undefined ? `is missing: ${issue.message}` : `is invalid: ${issue.message}`;
    throw new ConfigError(variable, problem);
  }
  const raw = result.data;
  for (const [a, b] of PAIRS) {
    const ra = raw[a as keyof RawEnv];
    const rb = raw[b as keyof RawEnv];
    if (ra && !rb) throw new ConfigError(b, `is missing: it is required when ${a} is set`);
    if (rb && !ra) throw new ConfigError(a, `is missing: it is required when ${b} is set`);
  }
  if (raw.NODE_ENV === 'production') {
    if (!raw.ENCRYPTION_KEY)
      throw new ConfigError('ENCRYPTION_KEY', 'is missing: required when NODE_ENV=production');
    if (!raw.SESSION_SECRET)
      throw new ConfigError('SESSION_SECRET', 'is missing: required when NODE_ENV=production');
    if (!raw.BASE_URL) throw new ConfigError('BASE_URL', 'is missing: required when NODE_ENV=production');
  }
  if (raw.WEB_CONCURRENCY > 1 && (!raw.DATABASE_URL || !raw.REDIS_URL))
    throw new ConfigError(
      'WEB_CONCURRENCY',
      'is invalid: more than one web process needs DATABASE_URL and REDIS_URL (the embedded database and the in-process queue live in a single process)',
    );
  if (raw.STRIPE_SECRET_KEY && !raw.STRIPE_WEBHOOK_SECRET)
    throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'is missing: required when STRIPE_SECRET_KEY is set');
  const quickbooksConfigured = Boolean(raw.QUICKBOOKS_CLIENT_ID);
  const xeroConfigured = Boolean(raw.XERO_CLIENT_ID);
  return {
    ...raw,
    BASE_URL: (raw.BASE_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ''),
    demo: raw.NODE_ENV !== 'production' && !quickbooksConfigured && !xeroConfigured,
    quickbooksConfigured,
    xeroConfigured,
    stripeConfigured: Boolean(raw.STRIPE_SECRET_KEY),
  };
}
