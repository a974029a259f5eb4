import { type Api, GrammyError } from 'grammy';
import type { ReactionTypeEmoji } from 'grammy/types';
import type { Logger } from 'pino';
import type { Services } from '../../core/services.ts';
import type { Message } from '../../db/entities/index.ts';
import { html } from '../context.ts';
import {
  renderDeletedCopy,
  renderEditedCopy,
  renderEditedNotice,
  renderHistoryChangeNotice,
} from '../render/message-changes.ts';
import { isPermanentTelegramRefusal } from '../telegram-errors.ts';
import { inPlace, type TicketPlaces } from './ticket-places.ts';

type Copy = { chatId: number; threadId: number | null; tgMessageId: number };

const isAlreadyGone = (error: unknown) =>
  error instanceof GrammyError &&
  /message to delete not found|message to edit not found/.test(error.description);

/**
 * The visitor's changes to messages, carried to Telegram (durable jobs: outbound-handler.ts runs them).
 * Every job renders from the message as it is when it runs, so a retry (or a later change overtaking an
 * earlier one) ends in the current state.
 * - edited: each Telegram copy of the visitor's message gets the new text, marked "✏️ edited"; a copy that
 *   cannot be (split into parts, a file's caption, or Telegram refuses) gets an "✏️ edited:" notice
 *   replying to its first part;
 * - deleted: the copies are deleted; where Telegram refuses (older than 48 h…) they are struck through,
 *   "deleted by the visitor";
 * - reaction: the visitor's reaction is set (or taken back) on the agent's own Telegram message.
 * A message the agent saw only in the "connected" history has no copy of its own: a notice says what
 * changed. An unclaimed ticket's card is refreshed (it quotes the visitor's messages).
 */
export function createMessageSync({
  api,
  services,
  places,
  logger,
  refreshCard,
}: {
  api: Api;
  services: Services;
  places: TicketPlaces;
  logger: Logger;
  /** Re-renders the ticket's card in the support group. */
  refreshCard: (ticketId: number) => Promise<unknown>;
}) {
  const visitorMessage = async (messageId: number) => {
    const message = await services.desk.message(messageId);
    return message.sender === 'visitor' ? message : null;
  };

  /** Sends `texts` into a copy's chat and topic, the first replying to the copy; recorded as notices. */
  const noticeAt = async (ticketId: number, copy: Copy, texts: string[]) => {
    for (const [index, text] of texts.entries()) {
      const sent = await api.sendMessage(copy.chatId, text, {
        ...html,
        ...(copy.threadId ? { message_thread_id: copy.threadId } : {}),
        ...(index === 0
          ? { reply_parameters: { message_id: copy.tgMessageId, allow_sending_without_reply: true } }
          : {}),
      });
      await services.telegramLinks.record({
        ticketId,
        chatId: copy.chatId,
        threadId: copy.threadId,
        tgMessageId: sent.message_id,
        role: 'notice',
      });
    }
  };

  /** Rewrites one copy (a text, else a file's caption); false when Telegram will not. */
  const rewrite = async (copy: Copy, text: string) => {
    try {
      await api.editMessageText(copy.chatId, copy.tgMessageId, text, html);
      return true;
    } catch (error) {
      // Gone from the chat (the agent deleted it): nothing left to rewrite.
      if (isAlreadyGone(error)) return true;
      if (!isPermanentTelegramRefusal(error)) throw error;
    }
    try {
      await api.editMessageCaption(copy.chatId, copy.tgMessageId, { ...html, caption: text });
      return true;
    } catch (error) {
      if (!isPermanentTelegramRefusal(error)) throw error;
      logger.info({ copy, description: error.description }, 'Telegram would not rewrite a relayed message');
      return false;
    }
  };

  /**
   * No copy of its own: an unclaimed ticket's card shows the change; a message the agent saw in the
   * "connected" history gets a notice; one not shown yet is sent as it is now (or not at all, deleted).
   */
  const withoutCopies = async (message: Message, change: 'edited' | 'deleted') => {
    const { ticket } = message;
    const agent = ticket.assignedAgent;
    if (!agent) {
      if (ticket.status === 'open') await refreshCard(ticket.id);
      return;
    }
    if (!message.relayedAt) return;
    const notice = renderHistoryChangeNotice(ticket, message, change);
    await places.send(
      ticket.id,
      { id: agent.id, tgChatId: agent.tgChatId },
      { role: 'notice' },
      (place) => api.sendMessage(place.chatId, notice, { ...html, ...inPlace(place) }),
      { create: false },
    );
  };

  return {
    async edited(messageId: number): Promise<'sent' | 'refused'> {
      const message = await visitorMessage(messageId);
      // Deleted meanwhile: the deletion's own job takes care of the copies.
      if (!message || message.deletedAt) return 'sent';
      const copies = await services.telegramLinks.copiesOf(message.id, 'visitor');
      if (copies.length === 0) {
        await withoutCopies(message, 'edited');
        return 'sent';
      }
      const text =
        copies.length === 1 && !message.mediaUrl ? renderEditedCopy(message.ticket, message) : null;
      const first = copies[0] as Copy;
      if (!text || !(await rewrite(first, text))) {
        await noticeAt(message.ticket.id, first, renderEditedNotice(message.ticket, message));
      }
      if (message.ticket.status === 'open') await refreshCard(message.ticket.id);
      return 'sent';
    },

    async deleted(messageId: number): Promise<'sent' | 'refused'> {
      const message = await visitorMessage(messageId);
      if (!message?.deletedAt) return 'sent';
      const copies = await services.telegramLinks.copiesOf(message.id, 'visitor');
      if (copies.length === 0) {
        await withoutCopies(message, 'deleted');
        return 'sent';
      }
      let outcome: 'sent' | 'refused' = 'sent';
      for (const [index, copy] of copies.entries()) {
        try {
          await api.deleteMessage(copy.chatId, copy.tgMessageId);
          continue;
        } catch (error) {
          if (isAlreadyGone(error)) continue;
          if (!isPermanentTelegramRefusal(error)) throw error;
          logger.info(
            { copy, description: error.description },
            'Telegram would not delete a relayed message',
          );
        }
        const struck = renderDeletedCopy(message.ticket, message, { first: index === 0 });
        if (!(await rewrite(copy, struck))) outcome = 'refused';
      }
      if (message.ticket.status === 'open') await refreshCard(message.ticket.id);
      return outcome;
    },

    async reaction(messageId: number): Promise<'sent' | 'refused'> {
      const message = await services.desk.message(messageId);
      if (message.sender !== 'agent' || !message.agent) return 'sent';
      const [linked] = await services.telegramLinks.copiesOf(message.id, 'agent');
      // Written in the Mini App: nothing in Telegram to react to. (Every message an agent writes in
      // Telegram is linked when it is stored, close notes too; older ones by the threads migration.)
      const target = linked ?? null;
      if (!target) return 'sent';
      const emoji = message.deletedAt ? null : (message.visitorReaction ?? null);
      await api.setMessageReaction(
        target.chatId,
        target.tgMessageId,
        emoji ? [{ type: 'emoji', emoji: emoji as ReactionTypeEmoji['emoji'] }] : [],
      );
      return 'sent';
    },
  };
}

export type MessageSync = ReturnType<typeof createMessageSync>;
