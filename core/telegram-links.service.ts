import { TelegramMessage, TicketThread } from '../db/entities/index.ts';
import type { TELEGRAM_MESSAGE_ROLES } from '../db/entities/telegram-message.entity.ts';
import type { EntityManager } from '../db/orm.ts';

export type TelegramLinkService = ReturnType<typeof createTelegramLinkService>;

/** A Telegram message of a ticket, by chat, topic and message id. */
export type TelegramMessageLink = {
  ticketId: number;
  /** The stored message it shows, if any. */
  messageId?: number;
  chatId: number;
  threadId?: number | null;
  tgMessageId: number;
  role: (typeof TELEGRAM_MESSAGE_ROLES)[number];
};

/** A ticket's forum topic in an agent's chat. */
export type ThreadLink = {
  id: number;
  ticketId: number;
  chatId: number;
  threadId: number;
  name: string;
  closed: boolean;
};

const toThreadLink = (thread: TicketThread): ThreadLink => ({
  id: thread.id,
  ticketId: thread.ticket.id,
  chatId: thread.chatId,
  threadId: thread.threadId,
  name: thread.name,
  closed: Boolean(thread.closedAt),
});

/**
 * Where a ticket lives in Telegram: every Telegram message that belongs to it and the topics that hold
 * its conversation. An agent's message finds its ticket here (by topic, or by the message it replies
 * to), never by reading the text the bot rendered.
 */
export function createTelegramLinkService({ em }: { em: EntityManager }) {
  return {
    /** Records a Telegram message of a ticket; recording the same message again changes nothing. */
    async record(link: TelegramMessageLink): Promise<void> {
      await em
        .createQueryBuilder(TelegramMessage)
        .insert({
          ticket: link.ticketId,
          message: link.messageId ?? null,
          chatId: link.chatId,
          threadId: link.threadId ?? null,
          tgMessageId: link.tgMessageId,
          role: link.role,
          createdAt: new Date(),
        })
        .onConflict(['chatId', 'tgMessageId'])
        .ignore()
        .execute('run');
    },

    /** The ticket a Telegram message belongs to, or null when it is none's. */
    async ticketOfMessage(chatId: number, tgMessageId: number): Promise<number | null> {
      const link = await em.findOne(TelegramMessage, { chatId, tgMessageId }, { fields: ['ticket'] });
      return link?.ticket.id ?? null;
    },

    /** The ticket a topic holds, or null when the topic is none's (General, or one the user made). */
    async threadByTopic(chatId: number, threadId: number): Promise<ThreadLink | null> {
      const thread = await em.findOne(TicketThread, { chatId, threadId });
      return thread ? toThreadLink(thread) : null;
    },

    /**
     * The Telegram messages that show a stored message in this role (a visitor message relayed in parts:
     * each part, in order).
     */
    async copiesOf(
      messageId: number,
      role: TelegramMessageLink['role'],
    ): Promise<{ chatId: number; threadId: number | null; tgMessageId: number }[]> {
      const links = await em.find(TelegramMessage, { message: messageId, role }, { orderBy: { id: 'asc' } });
      return links.map((link) => ({
        chatId: link.chatId,
        threadId: link.threadId ?? null,
        tgMessageId: link.tgMessageId,
      }));
    },

    /** The ticket's topic in a chat, if it has one. */
    async threadOf(ticketId: number, chatId: number): Promise<ThreadLink | null> {
      const thread = await em.findOne(TicketThread, { ticket: ticketId, chatId });
      return thread ? toThreadLink(thread) : null;
    },

    /** Records a new topic of the ticket; answers the one recorded first if two were created at once. */
    async addThread(thread: {
      ticketId: number;
      agentId: number | null;
      chatId: number;
      threadId: number;
      name: string;
    }): Promise<ThreadLink> {
      await em
        .createQueryBuilder(TicketThread)
        .insert({
          ticket: thread.ticketId,
          agent: thread.agentId,
          chatId: thread.chatId,
          threadId: thread.threadId,
          name: thread.name,
          createdAt: new Date(),
        })
        .onConflict(['ticket', 'chatId'])
        .ignore()
        .execute('run');
      const stored = await em.findOneOrFail(
        TicketThread,
        { ticket: thread.ticketId, chatId: thread.chatId },
        { refresh: true },
      );
      return toThreadLink(stored);
    },

    /** The ticket's topics not marked closed yet. */
    async openThreads(ticketId: number): Promise<ThreadLink[]> {
      const threads = await em.find(
        TicketThread,
        { ticket: ticketId, closedAt: null },
        { orderBy: { id: 'asc' } },
      );
      return threads.map(toThreadLink);
    },

    async markThreadClosed(threadLinkId: number): Promise<void> {
      await em.nativeUpdate(TicketThread, { id: threadLinkId }, { closedAt: new Date() });
    },

    /** The ticket's topic is in use again (renamed back from "✅ …" to `name`). */
    async markThreadOpen(threadLinkId: number, name: string): Promise<void> {
      await em.nativeUpdate(TicketThread, { id: threadLinkId }, { closedAt: null, name });
    },

    /** The topic is gone from Telegram (the agent deleted it): the next message opens a new one. */
    async forgetThread(threadLinkId: number): Promise<void> {
      await em.nativeDelete(TicketThread, { id: threadLinkId });
    },
  };
}
