import { signData } from '@telegram-apps/init-data-node';
import { secretMatches } from './secrets.ts';

export type TelegramUser = { id: number; first_name?: string; last_name?: string; username?: string };

export type InitDataCheck =
  | { ok: true; user: TelegramUser; authDate: Date }
  | { ok: false; reason: 'invalid' | 'expired' | 'no_user' };

/** Telegram clients' clocks drift; initData dated further ahead than this is refused. */
const FUTURE_SKEW_SECONDS = 300;

/**
 * Checks a Mini App's initData as Telegram specifies: the `hash` is the HMAC-SHA256 of the other fields
 * (sorted `key=value` lines) with a key derived from the bot token (`signData` of
 * `@telegram-apps/init-data-node`), compared in constant time; `auth_date` must be at most `maxAgeSeconds`
 * old.
 */
export function verifyInitData(
  raw: string,
  botToken: string,
  maxAgeSeconds: number,
  now = Date.now(),
): InitDataCheck {
  const params = new URLSearchParams(raw);
  const hash = params.get('hash');
  if (!hash) return { ok: false, reason: 'invalid' };
  const lines: string[] = [];
  params.forEach((value, key) => {
    if (key !== 'hash') lines.push(`${key}=${value}`);
  });
  const expected = signData(lines.sort().join('\n'), botToken);
  if (!secretMatches(hash.toLowerCase(), expected)) return { ok: false, reason: 'invalid' };

  const authDate = Number(params.get('auth_date'));
  if (!Number.isSafeInteger(authDate) || authDate <= 0) return { ok: false, reason: 'invalid' };
  if ((authDate + maxAgeSeconds) * 1000 < now) return { ok: false, reason: 'expired' };
  if ((authDate - FUTURE_SKEW_SECONDS) * 1000 > now) return { ok: false, reason: 'invalid' };

  const user = readUser(params.get('user'));
  if (!user) return { ok: false, reason: 'no_user' };
  return { ok: true, user, authDate: new Date(authDate * 1000) };
}

function readUser(raw: string | null): TelegramUser | null {
  if (!raw) return null;
  try {
    const user = JSON.parse(raw) as TelegramUser;
    return Number.isSafeInteger(user?.id) && user.id > 0 ? user : null;
  } catch {
    return null;
  }
}
