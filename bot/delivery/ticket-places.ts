import { type Api, GrammyError } from 'grammy';
import type { Message as TelegramMessage } from 'grammy/types';
import type { Logger } from 'pino';
import type { Services } from '../../core/services.ts';
import type { TelegramMessageLink, ThreadLink } from '../../core/telegram-links.service.ts';
import { closedTopicName, topicName } from '../render/topic-name.ts';
import type { SupportGroup } from '../storage/support-group.ts';
import { isPermanentTelegramRefusal } from '../telegram-errors.ts';
import type { TicketThreadMode } from '../ticket-threads.ts';
import { NoSupportGroup } from './no-support-group.ts';

/** Where a ticket's conversation is: a chat, and the ticket's topic in it (topic modes). */
export type TicketPlace = { chatId: number; threadId: number | null; thread: ThreadLink | null };

/** The send options that put a message into a place's topic. */
export const inPlace = (place: TicketPlace) => (place.threadId ? { message_thread_id: place.threadId } : {});

/** The topic no longer exists (deleted in Telegram). */
const isThreadGone = (error: unknown) =>
  error instanceof GrammyError && /thread not found|TOPIC_DELETED|TOPIC_ID_INVALID/i.test(error.description);
const isTopicNotModified = (error: unknown) =>
  error instanceof GrammyError && /not modified/i.test(error.description);

type AgentChat = { id: number; tgChatId: number };
/** Who a message of a ticket is for: the agent handling it, or the support group (its card). */
export type Audience = AgentChat | 'group';

/**
 * The places of tickets in Telegram, and the one way the delivery sends into them: every message sent for
 * a ticket is recorded (chat, topic, message id), so that a reply to it routes to its ticket.
 * - `single`: the agent's chat with the bot;
 * - `private-topics`: the ticket's topic in the agent's chat, created the first time something is sent;
 * - `group-topics`: the ticket's topic in the support group, whoever the message is for. A group that is
 *   not a forum (or where the bot may not manage topics) gets the ticket in its main chat, logged.
 * A topic deleted in Telegram is forgotten and the message goes into a new one.
 */
export function createTicketPlaces({
  api,
  services,
  supportGroup,
  mode,
  logger,
}: {
  api: Api;
  services: Services;
  supportGroup: SupportGroup;
  mode: TicketThreadMode;
  logger: Logger;
}) {
  const { telegramLinks } = services;

  const groupId = async () => {
    const id = await supportGroup.chatId();
    if (!id) throw new NoSupportGroup();
    return id;
  };

  /** The ticket's topic in `chatId`: the one recorded, else a new one (if `create`). */
  const topicIn = async (
    chatId: number,
    ticketId: number,
    agentId: number | null,
    create: boolean,
  ): Promise<TicketPlace> => {
    const existing = await telegramLinks.threadOf(ticketId, chatId);
    if (existing?.closed && create) {
      // The ticket came back to this agent (handed over and back): its topic is theirs again.
      const card = await services.desk.card(ticketId);
      if (card.status !== 'closed') {
        const name = topicName(card);
        try {
          await api.editForumTopic(chatId, existing.threadId, { name });
        } catch (error) {
          if (!isTopicNotModified(error)) throw error;
        }
        await telegramLinks.markThreadOpen(existing.id, name);
      }
    }
    if (existing) return { chatId, threadId: existing.threadId, thread: existing };
    if (!create) return { chatId, threadId: null, thread: null };
    const name = topicName(await services.desk.card(ticketId));
    let topic: { message_thread_id: number };
    try {
      topic = await api.createForumTopic(chatId, name);
    } catch (error) {
      if (agentId !== null || !isPermanentTelegramRefusal(error)) throw error;
      logger.error(
        { ticketId, chatId, description: error.description },
        'TICKET_THREADS=group-topics, but Telegram would not create a topic in the support group ' +
          '(make it a forum and the bot an admin who may manage topics); this ticket stays in the main chat',
      );
      return { chatId, threadId: null, thread: null };
    }
    const thread = await telegramLinks.addThread({
      ticketId,
      agentId,
      chatId,
      threadId: topic.message_thread_id,
      name,
    });
    return { chatId, threadId: thread.threadId, thread };
  };

  /**
   * Where a message of the ticket for `audience` goes: in group topics always the ticket's topic; else
   * the group's main chat, or the agent's chat (its ticket topic in private-topics mode). `create: false`
   * opens no topic.
   */
  const placeFor = async (ticketId: number, audience: Audience, { create = true } = {}) => {
    if (mode === 'group-topics') return topicIn(await groupId(), ticketId, null, create);
    if (audience === 'group') return { chatId: await groupId(), threadId: null, thread: null };
    return topicIn(audience.tgChatId, ticketId, audience.id, create && mode === 'private-topics');
  };

  return {
    placeFor,

    /**
     * Sends one Telegram message of the ticket into its place (`call` does the sending) and records it as
     * `role`. A topic that turns out deleted is forgotten and the message goes into a new one.
     */
    async send(
      ticketId: number,
      audience: Audience,
      link: Pick<TelegramMessageLink, 'role' | 'messageId'>,
      call: (place: TicketPlace) => Promise<TelegramMessage>,
      { create = true } = {},
    ): Promise<TelegramMessage> {
      let place = await placeFor(ticketId, audience, { create });
      let sent: TelegramMessage;
      try {
        sent = await call(place);
      } catch (error) {
        if (!place.thread || !isThreadGone(error)) throw error;
        await telegramLinks.forgetThread(place.thread.id);
        place = await placeFor(ticketId, audience, { create });
        sent = await call(place);
      }
      await telegramLinks.record({
        ...link,
        ticketId,
        chatId: place.chatId,
        threadId: place.threadId,
        tgMessageId: sent.message_id,
      });
      return sent;
    },

    /**
     * The ticket closed (or, with `chatId`, left that chat's agent): each of its topics (in that chat) is
     * renamed "✅ …" and kept, so its history stays readable; a group's topic is also closed (private chats
     * have no closed topics).
     */
    async closeThreads(ticketId: number, { chatId }: { chatId?: number } = {}): Promise<void> {
      // Done already (a retried job) or the topic is gone: nothing left to do for it.
      const tolerant = async (call: () => Promise<unknown>) => {
        try {
          await call();
        } catch (error) {
          if (!isThreadGone(error) && !isTopicNotModified(error)) throw error;
        }
      };
      for (const thread of await telegramLinks.openThreads(ticketId)) {
        if (chatId !== undefined && thread.chatId !== chatId) continue;
        await tolerant(() =>
          api.editForumTopic(thread.chatId, thread.threadId, { name: closedTopicName(thread.name) }),
        );
        // Group chat ids are negative; a private chat's topics cannot be closed.
        if (thread.chatId < 0) await tolerant(() => api.closeForumTopic(thread.chatId, thread.threadId));
        await telegramLinks.markThreadClosed(thread.id);
      }
    },
  };
}

export type TicketPlaces = ReturnType<typeof createTicketPlaces>;
