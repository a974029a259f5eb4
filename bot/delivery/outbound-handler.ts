import { type Api, GrammyError, InputFile } from 'grammy';
import type { Logger } from 'pino';
import type { OutboundJob } from '../../core/outbox.ts';
import type { Message } from '../../db/entities/index.ts';
import { html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import {
  closeButton,
  MAX_CAPTION_BODY,
  renderConnected,
  renderRelayedMessage,
} from '../render/agent-messages.ts';
import { renderCard } from '../render/card.ts';
import { escapeHtml, ticketLabel } from '../render/html.ts';

/** Telegram refused for good (bad request, blocked by the user…): retrying cannot help. */
const isPermanent = (error: unknown) =>
  error instanceof GrammyError && [400, 403, 404].includes(error.error_code);
const isMessageGone = (error: unknown) =>
  error instanceof GrammyError && /message to edit not found|message can't be edited/.test(error.description);

export class NoSupportGroup extends Error {
  constructor() {
    super('No support group is bound yet (send /setup in the group, or set SUPPORT_GROUP_CHAT_ID)');
  }
}

/**
 * Delivers the core's outbound jobs to Telegram. A throw means "retry later" (pg-boss, with backoff,
 * in order per chat); permanent refusals are logged and dropped so that one bad message cannot block
 * a chat's queue. Every job renders from the current database state, so a retry is harmless.
 */
export function createOutboundHandler(
  deps: BotDeps & { api: Api; logger: Logger; afterHoursMinutes: number },
) {
  const { api, services, supportGroup, media, logger } = deps;

  const groupId = async () => {
    const id = await supportGroup.chatId();
    if (!id) throw new NoSupportGroup();
    return id;
  };

  const postCard = async (ticketId: number) => {
    const card = await services.desk.card(ticketId);
    const chatId = await groupId();
    const { text, keyboard } = renderCard(card);
    if (card.groupMessageId) {
      try {
        await api.editMessageText(chatId, card.groupMessageId, text, { ...html, reply_markup: keyboard });
        return;
      } catch (error) {
        if (!isMessageGone(error)) throw error;
      }
    }
    const sent = await api.sendMessage(chatId, text, { ...html, reply_markup: keyboard });
    await services.desk.setCardMessageId(ticketId, sent.message_id);
  };

  const relayOne = async (chatId: number, message: Message) => {
    const file = message.mediaUrl ? media.parseUrl(message.mediaUrl) : null;
    const stored = file ? await media.open(file.sessionId, file.fileName) : null;
    if (stored && file) {
      const input = new InputFile(stored.bytes, file.fileName);
      const caption = renderRelayedMessage(message.ticket, message, MAX_CAPTION_BODY);
      try {
        return stored.mimeType.startsWith('image/')
          ? await api.sendPhoto(chatId, input, { ...html, caption })
          : await api.sendDocument(chatId, input, { ...html, caption });
      } catch (error) {
        // Telegram refused the file itself (e.g. not a valid image): the text still goes through.
        if (!isPermanent(error)) throw error;
        logger.warn(
          { err: error, messageId: message.id },
          'Telegram refused an attachment; sending the text alone',
        );
      }
    }
    return api.sendMessage(chatId, renderRelayedMessage(message.ticket, message), html);
  };

  /** Relays the message and any earlier one of its ticket still waiting, in order; each is marked once sent. */
  const relayToAgent = async (agentId: number, messageId: number) => {
    const [agent, message] = await Promise.all([
      services.agents.get(agentId),
      services.desk.message(messageId),
    ]);
    for (const pending of await services.desk.unrelayed(message.ticket.id, messageId)) {
      const sent = await relayOne(agent.tgChatId, pending);
      await services.desk.markRelayed(pending.id, sent.message_id);
    }
  };

  const connectAgent = async (agentId: number, ticketId: number) => {
    const [agent, card, history] = await Promise.all([
      services.agents.get(agentId),
      services.desk.card(ticketId),
      services.desk.history(ticketId),
    ]);
    await api.sendMessage(agent.tgChatId, renderConnected(card, history), {
      ...html,
      reply_markup: closeButton(ticketId),
    });
  };

  const tellClosed = async (agentId: number, ticketId: number) => {
    const [agent, card] = await Promise.all([services.agents.get(agentId), services.desk.card(ticketId)]);
    await api.sendMessage(
      agent.tgChatId,
      `☑️ <b>${escapeHtml(ticketLabel(card))}</b> was closed by the visitor.`,
      html,
    );
  };

  const afterHours = async (ticketId: number) => {
    const { stillWaiting } = await services.tickets.afterHours(ticketId);
    if (!stillWaiting) return;
    const card = await services.desk.card(ticketId);
    const chatId = await groupId();
    await api.sendMessage(
      chatId,
      `⏰ <b>${escapeHtml(ticketLabel(card))}</b> has waited ${deps.afterHoursMinutes} min for an agent. ` +
        'The visitor was asked for an email or phone number.',
      {
        ...html,
        ...(card.groupMessageId
          ? { reply_parameters: { message_id: card.groupMessageId, allow_sending_without_reply: true } }
          : {}),
      },
    );
  };

  /** Telegram lets a bot write only to users who started it: the group learns who has to. */
  const warnGroupAboutAgent = async (agentId: number) => {
    const [agent, chatId] = await Promise.all([services.agents.get(agentId), supportGroup.chatId()]);
    if (!chatId) return;
    const name = agent.tgUsername ? `@${agent.tgUsername}` : agent.name;
    await api.sendMessage(
      chatId,
      `⚠️ I can't message ${escapeHtml(name)}: please open a chat with me and press Start, then use /tickets.`,
      html,
    );
  };

  return async function deliver(job: OutboundJob): Promise<void> {
    try {
      switch (job.type) {
        case 'ticket.card':
          return await postCard(job.ticketId);
        case 'agent.message':
          return await relayToAgent(job.agentId, job.messageId);
        case 'agent.connected':
          return await connectAgent(job.agentId, job.ticketId);
        case 'agent.ticket-closed':
          return await tellClosed(job.agentId, job.ticketId);
        case 'ticket.after-hours':
          return await afterHours(job.ticketId);
      }
    } catch (error) {
      if (error instanceof NoSupportGroup) {
        // Cards are requested again for every open ticket when a group is bound (/setup).
        logger.warn({ job }, error.message);
        return;
      }
      if (!isPermanent(error)) {
        logger.warn({ err: error, job }, 'delivery failed; will retry');
        throw error;
      }
      logger.warn({ err: error, job }, 'Telegram refused a delivery; dropped');
      if ('agentId' in job && (error as GrammyError).error_code === 403) {
        await warnGroupAboutAgent(job.agentId).catch((warnError: unknown) =>
          logger.warn({ err: warnError }, 'could not warn the group'),
        );
      }
    }
  };
}
