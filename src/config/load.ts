import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, parseEnv, type Config } from './env';

/** Reads `.env` (if present) under the real environment and parses it. */
export function loadConfig(): Config {
  const envFile = path.resolve('.env');
  if (fs.existsSync(envFile)) dotenv.config({ path: envFile, quiet: true });
  return parseEnv(process.env);
}

/** For process entries: parse once, or exit with one line naming the variable. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`duely: configuration error: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
