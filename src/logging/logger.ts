import pino, { type Logger } from 'pino';

/** Paths never written to logs: tokens, secrets, passwords, cookies, auth headers. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["intuit-signature"]',
  'req.headers["x-xero-signature"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.idToken',
  '*.password',
  '*.token',
  '*.secret',
  '*.clientSecret',
  'accessToken',
  'refreshToken',
  'password',
  'token',
];

let root: Logger | null = null;

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  root = pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'duely' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  return root;
}

/** One named logger per module. */
export function getLogger(module: string): Logger {
  if (!root)
    root = createRootLogger(process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'));
  return root.child({ module });
}
