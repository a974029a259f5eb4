import type { Orm } from '../../db/orm.ts';
import { eventually } from './visitor.ts';

/**
 * Waits until the bot's message `tgMessageId` in `chatId` is linked to its ticket. The link is recorded
 * once Telegram answered the send, a moment after the fake shows the message; an agent replies or reacts to
 * what they were shown, which is later still, so a test does too.
 */
export function linkedToTicket(orm: Orm, chatId: number, tgMessageId: number, timeoutMs = 15_000) {
  return rowExists(orm, 'telegram_messages', 'tg_message_id', chatId, tgMessageId, timeoutMs);
}

/**
 * Waits until a ticket's topic `threadId` in `chatId` is recorded as the ticket's: that happens once
 * Telegram answered createForumTopic, a moment after the fake shows the topic.
 */
export function topicLinkedToTicket(orm: Orm, chatId: number, threadId: number, timeoutMs = 15_000) {
  return rowExists(orm, 'ticket_threads', 'thread_id', chatId, threadId, timeoutMs);
}

const rowExists = (
  orm: Orm,
  table: 'telegram_messages' | 'ticket_threads',
  idColumn: 'tg_message_id' | 'thread_id',
  chatId: number,
  id: number,
  timeoutMs: number,
) =>
  eventually(async () => {
    const rows = await orm.em
      .getConnection()
      .execute<{ count: number }[]>(
        `select count(*)::int as count from ${table} where chat_id = ? and ${idColumn} = ?`,
        [chatId, id],
      );
    return Number(rows[0]?.count) > 0;
  }, timeoutMs);
