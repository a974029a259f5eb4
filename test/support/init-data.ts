import { sign } from '@telegram-apps/init-data-node';

export type TelegramUser = { id: number; first_name: string; last_name?: string; username?: string };

/**
 * Telegram's initData for a Mini App launch, signed with the bot token as Telegram signs it (the
 * `hash` field). `authDate` defaults to now; `ageSeconds` backdates it.
 */
export function signInitData(
  token: string,
  user: TelegramUser,
  { ageSeconds = 0, authDate }: { ageSeconds?: number; authDate?: Date } = {},
) {
  return sign(
    {
      user: { ...user, language_code: 'en', allows_write_to_pm: true },
      chat_instance: '-7000000000001',
      chat_type: 'sender',
    },
    token,
    authDate ?? new Date(Date.now() - ageSeconds * 1000),
  );
}

/** The `Authorization` header of the agent API. */
export const tma = (initData: string) => ({ authorization: `tma ${initData}` });
