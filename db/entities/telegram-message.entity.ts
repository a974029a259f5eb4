import { defineEntity, p } from '@mikro-orm/core';
import { Message } from './message.entity.ts';
import { Ticket } from './ticket.entity.ts';

/**
 * What a Telegram message of a ticket is: the card, the "connected" notice, a part of the history, a
 * relayed visitor message, an agent's own message, or a notice of the bot.
 */
export const TELEGRAM_MESSAGE_ROLES = ['card', 'connected', 'history', 'visitor', 'agent', 'notice'] as const;

/**
 * Every Telegram message that belongs to a ticket — the bot's and the agents' — by chat, topic and
 * message id. A reply in Telegram routes by the message it replies to (this table), never by the text
 * the bot rendered.
 */
export const TelegramMessageSchema = defineEntity({
  name: 'TelegramMessage',
  tableName: 'telegram_messages',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    /** The stored message it shows (a relayed visitor message, an agent's message), if any. */
    message: () => p.manyToOne(Message).nullable().index().deleteRule('cascade'),
    chatId: p.bigint('number'),
    /** The forum topic it is in, if any. */
    threadId: p.bigint('number').nullable(),
    tgMessageId: p.bigint('number'),
    role: p.enum(TELEGRAM_MESSAGE_ROLES),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  indexes: [{ name: 'telegram_messages_ticket_id_index', properties: ['ticket'] }],
  uniques: [{ name: 'telegram_messages_chat_message_unique', properties: ['chatId', 'tgMessageId'] }],
});

export class TelegramMessage extends TelegramMessageSchema.class {}
TelegramMessageSchema.setClass(TelegramMessage);
