import type { Orm } from '../../db/orm.ts';
import { eventually } from './visitor.ts';

/**
 * Waits until the bot's message `tgMessageId` in `chatId` is linked to its ticket. The link is recorded
 * once Telegram answered the send, a moment after the fake shows the message; an agent replies or reacts to
 * what they were shown, which is later still, so a test does too.
 */
export function linkedToTicket(orm: Orm, chatId: number, tgMessageId: number, timeoutMs = 15_000) {
  return eventually(async () => {
    const links = await orm.em
      .getConnection()
      .execute<{ count: number }[]>(
        'select count(*)::int as count from telegram_messages where chat_id = ? and tg_message_id = ?',
        [chatId, tgMessageId],
      );
    return Number(links[0]?.count) > 0;
  }, timeoutMs);
}
