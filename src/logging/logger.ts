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

/** Make `logger` the root every module logger follows (the process's configured logger). */
export function setRootLogger(logger: Logger): void {
  root = logger;
}

function currentRoot(): Logger {
  if (!root)
    root = createRootLogger(process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'));
  return root;
}

/**
 * One named logger per module. Modules take theirs at import time, before the process has read
 * its configuration, so it follows whichever root logger is current (level, destination).
 */
export function getLogger(module: string): Logger {
  let made: { root: Logger; child: Logger } | null = null;
  const resolve = () => {
    const r = currentRoot();
    if (!made || made.root !== r) made = { root: r, child: r.child({ module }) };
    return made.child;
  };
  return new Proxy({} as Logger, {
    get(_t, prop) {
      const target = resolve();
      const v = (target as unknown as Record<PropertyKey, unknown>)[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
