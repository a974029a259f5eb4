import type { Message } from 'grammy/types';
import type { TelegramOrigin } from '../core/message.service.ts';

/** Where a Telegram message is: its chat, its topic (if it is in one) and its id. */
export const telegramOrigin = (message: Message): TelegramOrigin => ({
  chatId: message.chat.id,
  threadId: message.is_topic_message ? (message.message_thread_id ?? null) : null,
  messageId: message.message_id,
});
