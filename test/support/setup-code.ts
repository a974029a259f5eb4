import { SETUP_CODE_KEY } from '../../bot/storage/setup-code.ts';
import type { Orm } from '../../db/orm.ts';

/** How the server's log shows the support group's one-time setup code: "… send /setup CODE there". */
const SETUP_CODE_IN_LOG = /send \/setup ([2-9A-Z]{4}(?:-[2-9A-Z]{4}){3}) there/g;

/** The latest setup code a server logged (as the operator reads it), if any. */
export function setupCodeInLog(log: string): string | undefined {
  return [...log.matchAll(SETUP_CODE_IN_LOG)].at(-1)?.[1];
}

/** The current setup code, from the settings table (for in-process servers, whose logs are silent). */
export async function currentSetupCode(orm: Orm): Promise<string> {
  const rows = await orm.em
    .getConnection()
    .execute<{ value: string }[]>('select value from settings where key = ?', [SETUP_CODE_KEY]);
  const code = rows[0]?.value;
  if (!code) throw new Error('no setup code yet: the bot creates it when it connects');
  return code;
}
