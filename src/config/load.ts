import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, parseEnv, type Config } from './env';

/** Reads `.env` (if present) under the real environment, parses once, or exits with one line. */
export function loadConfigOrExit(): Config {
  const envFile = path.resolve('.env');
  if (fs.existsSync(envFile)) dotenv.config({ path: envFile, quiet: true });
  try {
    return parseEnv(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`duely: configuration error: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
