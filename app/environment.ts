import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** The process environment over the values of `.env` (if present): a real variable always wins. */
export function loadEnvironment(envFile = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
