import { type Api, GrammyError, InputFile } from 'grammy';
import type { Message as TelegramMessage } from 'grammy/types';
import type { Logger } from 'pino';
import { NotFound } from '../../core/errors.ts';
import type { OutboundJob } from '../../core/outbox.ts';
import type { Message } from '../../db/entities/index.ts';
import { html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { closeButton, renderConnected, renderRelayedMessage } from '../render/agent-messages.ts';
import { openInAppUrl, renderCard, renderErasedCard } from '../render/card.ts';
import { escapeHtml, ticketLabel } from '../render/html.ts';
import { truncate } from '../render/telegram-text.ts';
import { isPermanentTelegramRefusal } from '../telegram-errors.ts';
import type { TicketThreadMode } from '../ticket-threads.ts';
import { createMessageSync } from './message-sync.ts';
import { NoSupportGroup } from './no-support-group.ts';
import { createOfferDelivery } from './offer-delivery.ts';
import { type Audience, createTicketPlaces, inPlace, type TicketPlace } from './ticket-places.ts';

type HandedOverBy = NonNullable<Extract<OutboundJob, { type: 'agent.connected' }>['handedOverBy']>;

const isMessageGone = (error: unknown) =>
  error instanceof GrammyError && /message to edit not found|message can't be edited/.test(error.description);
const isNotModified = (error: unknown) =>
  error instanceof GrammyError && /message is not modified/.test(error.description);

/**
 * Delivers the core's outbound jobs to Telegram. A throw means "retry later" (pg-boss, with backoff,
 * in order per chat). A permanent refusal never blocks a chat's queue: a refused visitor message is
 * marked undeliverable (skipped from then on, shown in the Mini App, logged with the running total) and
 * the messages after it go on; any other refused job is logged and dropped. Every job renders from the
 * current database state, so a retry is harmless.
 */
export function createOutboundHandler(
  deps: BotDeps & {
    api: Api;
    logger: Logger;
    afterHoursMinutes: number;
    ticketThreads: TicketThreadMode;
    /** For the card's "Open in app" link (with an https Mini App). */
    botUsername?: string;
  },
) {
  const { api, services, supportGroup, media, logger } = deps;
  const places = createTicketPlaces({ api, services, supportGroup, mode: deps.ticketThreads, logger });
  const inGroupTopics = deps.ticketThreads === 'group-topics';
  const sync = createMessageSync({
    api,
    services,
    places,
    logger,
    refreshCard: (ticketId) => postCard(ticketId),
  });
  const offers = createOfferDelivery({ api, services });
  /** Cards Telegram refused for good since this process started (they have no row to mark). */
  let refusedCards = 0;
  /**
   * How many Telegram messages of a split visitor message this process has already sent, by chat and
   * message id: a retry after a transient failure (5xx, timeout) goes on from the next part instead of
   * repeating the ones the agent already has.
   */
  const partsSent = new Map<string, { count: number; firstMessageId: number }>();

  const groupId = async () => {
    const id = await supportGroup.chatId();
    if (!id) throw new NoSupportGroup();
    return id;
  };

  const postCard = async (ticketId: number) => {
    const card = await services.desk.card(ticketId);
    const chatId = await groupId();
    // Unclaimed cards name the online agents with the ticket's skill; open ones link to the Mini App.
    const online = card.status === 'open' ? await services.presence.onlineForTicket(ticketId) : undefined;
    const { text, keyboard } = renderCard(card, {
      online,
      openInAppUrl:
        deps.miniappUrl && deps.botUsername
          ? openInAppUrl(deps.botUsername, ticketId, deps.miniappShortName)
          : undefined,
    });
    try {
      if (card.groupMessageId) {
        try {
          await api.editMessageText(chatId, card.groupMessageId, text, { ...html, reply_markup: keyboard });
          return;
        } catch (error) {
          if (isNotModified(error)) return;
          if (!isMessageGone(error)) throw error;
        }
      }
      const sent = await places.send(ticketId, 'group', { role: 'card' }, (place) =>
        api.sendMessage(place.chatId, text, { ...html, ...inPlace(place), reply_markup: keyboard }),
      );
      if (!(await services.desk.setCardMessageId(ticketId, sent.message_id))) {
        // The conversation was erased while its first card was on the way: that card says so too.
        await eraseCard({ id: ticketId, category: card.category, groupMessageId: sent.message_id });
      }
    } catch (error) {
      if (!isPermanentTelegramRefusal(error)) throw error;
      // Dropped, so that the group's queue (every ticket's card) goes on; the card's next refresh tries again.
      refusedCards += 1;
      logger.error(
        { ticketId, errorCode: error.error_code, description: error.description, refusedCards },
        'Telegram refused a ticket card for good; dropped (other cards go on)',
      );
      return 'refused' as const;
    }
  };

  /** Rewrites an erased ticket's card (no buttons); a card already gone from the group is left so. */
  const eraseCard = async (ticket: { id: number; category: string | null; groupMessageId: number }) => {
    const chatId = await groupId();
    const { text, keyboard } = renderErasedCard(ticket);
    try {
      await api.editMessageText(chatId, ticket.groupMessageId, text, { ...html, reply_markup: keyboard });
    } catch (error) {
      if (isNotModified(error) || isMessageGone(error)) return;
      throw error;
    }
  };

  /**
   * The Telegram messages one visitor message becomes, in order: its file (if any), then its text in one
   * or more parts. A file Telegram refuses (e.g. not a valid image) is replaced by its caption as text.
   */
  const relaySteps = async (message: Message) => {
    const file = message.mediaUrl ? media.parseUrl(message.mediaUrl) : null;
    const stored = file ? await media.open(file.sessionId, file.fileName) : null;
    const { caption, texts } = renderRelayedMessage(message.ticket, message, { withFile: Boolean(stored) });
    const steps: ((place: TicketPlace) => Promise<TelegramMessage>)[] = texts.map(
      (text) => (place) => api.sendMessage(place.chatId, text, { ...html, ...inPlace(place) }),
    );
    if (stored && file && caption !== null) {
      steps.unshift(async (place) => {
        const input = () => new InputFile(stored.bytes, file.fileName);
        const options = { ...html, ...inPlace(place), caption };
        try {
          if (stored.mimeType.startsWith('image/'))
            return await api.sendPhoto(place.chatId, input(), options);
          if (stored.mimeType.startsWith('audio/')) {
            // A voice recording as a voice note (Ogg Opus, M4A, MP3: what Telegram plays as one); one it
            // will not take as a voice note still arrives, as a file.
            try {
              return await api.sendVoice(place.chatId, input(), options);
            } catch (error) {
              if (!isPermanentTelegramRefusal(error)) throw error;
            }
          }
          return await api.sendDocument(place.chatId, input(), options);
        } catch (error) {
          if (!isPermanentTelegramRefusal(error)) throw error;
          logger.warn(
            { messageId: message.id, description: error.description },
            'Telegram refused an attachment; sending its caption as text',
          );
          return api.sendMessage(place.chatId, caption, { ...html, ...inPlace(place) });
        }
      });
    }
    return steps;
  };

  /**
   * Sends one visitor message and marks it relayed once its last part is out (at least once: if the
   * process dies between parts, the job runs again and the parts already sent are sent again; a retry
   * in the same process goes on where it stopped). Answers the first Telegram message's id.
   */
  const relayOne = async (audience: Audience, message: Message) => {
    const steps = await relaySteps(message);
    const key = `${audience === 'group' ? 'group' : audience.id}:${message.id}`;
    const progress = partsSent.get(key) ?? { count: 0, firstMessageId: 0 };
    try {
      for (const step of steps.slice(progress.count)) {
        const sent = await places.send(
          message.ticket.id,
          audience,
          { role: 'visitor', messageId: message.id },
          step,
        );
        if (progress.count === 0) progress.firstMessageId = sent.message_id;
        progress.count += 1;
        partsSent.set(key, progress);
      }
    } catch (error) {
      // Refused for good: the message is given up, nothing to go on with.
      if (isPermanentTelegramRefusal(error)) partsSent.delete(key);
      throw error;
    }
    await services.desk.markRelayed(message.id, progress.firstMessageId);
    partsSent.delete(key);
  };

  /** Telegram refused the message for good: marked, reported, and the agent told where to read it. */
  const giveUpOn = async (audience: Audience, message: Message, error: GrammyError) => {
    const { undeliverableTotal } = await services.desk.markUndeliverable(message.id, error.description);
    logger.error(
      {
        messageId: message.id,
        ticketId: message.ticket.id,
        agentId: audience === 'group' ? undefined : audience.id,
        errorCode: error.error_code,
        description: error.description,
        undeliverableTotal,
      },
      'Telegram refused a visitor message for good; marked undeliverable (the messages after it go on)',
    );
    if (error.error_code === 403) {
      // The agent blocked the bot (or never started it): only the group can be told. (A 403 from the
      // group itself means the bot is not in it: nobody to tell.)
      if (audience === 'group' || inGroupTopics) return;
      await warnGroupAboutAgent(audience.id).catch((warnError: unknown) =>
        logger.warn({ err: warnError }, 'could not warn the group'),
      );
      return;
    }
    const notice =
      `⚠️ <b>${escapeHtml(ticketLabel(message.ticket))}</b> · a visitor message could not be shown here ` +
      `(Telegram: ${escapeHtml(truncate(error.description, 200))}). Open the ticket in the queue app to read it.`;
    await places
      .send(message.ticket.id, audience, { role: 'notice' }, (place) =>
        api.sendMessage(place.chatId, notice, { ...html, ...inPlace(place) }),
      )
      .catch((noticeError: unknown) => logger.warn({ err: noticeError }, 'could not tell the agent'));
  };

  /**
   * Relays the ticket's visitor messages still waiting (up to `uptoId`), in order; each is marked once
   * sent. One that Telegram refuses for good is marked undeliverable and the rest go on.
   */
  const relayPending = async (ticketId: number, audience: Audience, uptoId?: number) => {
    let outcome: 'sent' | 'refused' = 'sent';
    for (const pending of await services.desk.unrelayed(ticketId, uptoId)) {
      try {
        await relayOne(audience, pending);
      } catch (error) {
        if (!isPermanentTelegramRefusal(error)) throw error;
        await giveUpOn(audience, pending, error);
        outcome = 'refused';
      }
    }
    return outcome;
  };

  const relayToAgent = async (agentId: number, messageId: number) => {
    const [agent, message] = await Promise.all([
      services.agents.get(agentId),
      services.desk.message(messageId),
    ]);
    // Handed over since: the new owner's "connected" history shows it (in group topics the place is the
    // same for everyone).
    if (!inGroupTopics && message.ticket.assignedAgent?.id !== agentId) return 'sent' as const;
    return relayPending(message.ticket.id, agent, messageId);
  };

  /**
   * The card, and in group topics the visitor's messages under it (the whole team reads the conversation
   * in the ticket's topic, claimed or not).
   */
  const showTicket = async (ticketId: number) => {
    const card = await postCard(ticketId);
    const messages = inGroupTopics ? await relayPending(ticketId, 'group') : 'sent';
    // A ticket closed before anyone claimed it has no agent's job to close its topic (done once: only
    // topics not marked closed are touched).
    if (inGroupTopics && (await services.desk.card(ticketId)).status === 'closed') {
      await places.closeThreads(ticketId);
    }
    return card === 'refused' || messages === 'refused' ? 'refused' : 'sent';
  };

  /** In group topics: the topic learns who answers; what the visitor said is there already (or follows). */
  const announceAgent = async (agentId: number, ticketId: number) => {
    const agent = await services.agents.get(agentId);
    const notice =
      `🙋 <b>${escapeHtml(agent.name)}</b> is answering: their messages in this topic go to the visitor. ` +
      'Everyone else’s stay in the team (marked 🙈).';
    await places.send(ticketId, agent, { role: 'connected' }, (place) =>
      api.sendMessage(place.chatId, notice, {
        ...html,
        ...inPlace(place),
        reply_markup: closeButton(ticketId),
      }),
    );
    return relayPending(ticketId, agent);
  };

  /**
   * "Connected to #12" with the history so far, in the agent's chat (its topic there in private-topics
   * mode); the visitor messages it showed count as relayed.
   */
  const connectAgent = async (agentId: number, ticketId: number, handedOverBy?: HandedOverBy) => {
    if (handedOverBy) await tellHandedOver(agentId, ticketId, handedOverBy);
    if (inGroupTopics) return announceAgent(agentId, ticketId);
    const [agent, card, history, notes] = await Promise.all([
      services.agents.get(agentId),
      services.desk.card(ticketId),
      services.desk.history(ticketId),
      services.notes.forHistory(ticketId),
    ]);
    // In order; the close button under the last part, where the agent goes on. A retry after a failure
    // half way sends the parts again (at least once). The team's notes are among the messages (📝).
    const parts = renderConnected(card, history, { inTopic: deps.ticketThreads === 'private-topics', notes });
    for (const [index, text] of parts.entries()) {
      const last = index === parts.length - 1;
      await places.send(ticketId, agent, { role: index === 0 ? 'connected' : 'history' }, (place) =>
        api.sendMessage(place.chatId, text, {
          ...html,
          ...inPlace(place),
          ...(last ? { reply_markup: closeButton(ticketId) } : {}),
        }),
      );
    }
    await services.desk.markShown(history.filter((message) => message.sender === 'visitor').map((m) => m.id));
    return 'sent' as const;
  };

  /** Who handed a ticket to its new owner, with their note (first, then the history). */
  const tellHandedOver = async (agentId: number, ticketId: number, { agentName, noteId }: HandedOverBy) => {
    const [agent, card, note] = await Promise.all([
      services.agents.get(agentId),
      services.desk.card(ticketId),
      noteId ? services.notes.body(noteId) : null,
    ]);
    // The note is stored on the ticket too (the history after this shows it where there is one).
    const text =
      `↪️ <b>${escapeHtml(agentName)}</b> handed <b>${escapeHtml(ticketLabel(card))}</b> to you.` +
      (note ? `\n📝 <i>${escapeHtml(note)}</i>` : '');
    await places.send(ticketId, agent, { role: 'notice' }, (place) =>
      api.sendMessage(place.chatId, text, { ...html, ...inPlace(place) }),
    );
  };

  /**
   * The agent handed their ticket on: told in its place, which is closed for them (in group topics the
   * topic is everyone's and stays; the new owner is announced there).
   */
  const handedOver = async (agentId: number, ticketId: number, toAgentName: string | null) => {
    if (inGroupTopics) return;
    const [agent, card] = await Promise.all([services.agents.get(agentId), services.desk.card(ticketId)]);
    const label = escapeHtml(ticketLabel(card));
    const notice = toAgentName
      ? `↪️ <b>${label}</b> is now ${escapeHtml(toAgentName)}’s: your messages no longer reach the visitor.`
      : `↩️ <b>${label}</b> is back in the queue: your messages no longer reach the visitor.`;
    await places.send(
      ticketId,
      agent,
      { role: 'notice' },
      (place) => api.sendMessage(place.chatId, notice, { ...html, ...inPlace(place) }),
      { create: false },
    );
    await places.closeThreads(ticketId, { chatId: agent.tgChatId });
  };

  /** The agent's ticket closed: the visitor's closing is told in its place, and its topic marked ✅. */
  const ticketClosed = async (agentId: number, ticketId: number, by: 'visitor' | 'agent') => {
    const [agent, card] = await Promise.all([services.agents.get(agentId), services.desk.card(ticketId)]);
    if (by === 'visitor') {
      const notice = `☑️ <b>${escapeHtml(ticketLabel(card))}</b> was closed by the visitor.`;
      await places.send(
        ticketId,
        agent,
        { role: 'notice' },
        (place) => api.sendMessage(place.chatId, notice, { ...html, ...inPlace(place) }),
        { create: false },
      );
    }
    await places.closeThreads(ticketId);
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

  /** Runs one job; answers 'refused' when Telegram refused (part of) it for good and it was dropped. */
  const runJob = async (job: OutboundJob): Promise<'sent' | 'refused'> => {
    switch (job.type) {
      case 'ticket.card':
        return await showTicket(job.ticketId);
      case 'agent.message':
        return await relayToAgent(job.agentId, job.messageId);
      case 'agent.connected':
        return await connectAgent(job.agentId, job.ticketId, job.handedOverBy);
      case 'agent.handed-over':
        await handedOver(job.agentId, job.ticketId, job.toAgentName);
        return 'sent';
      case 'agent.ticket-closed':
        await ticketClosed(job.agentId, job.ticketId, job.by ?? 'visitor');
        return 'sent';
      case 'ticket.after-hours':
        await afterHours(job.ticketId);
        return 'sent';
      case 'ticket.assign':
        await services.assignment.offerNext(job.ticketId);
        return 'sent';
      case 'tickets.assign-waiting':
        await services.assignment.rebalance();
        return 'sent';
      case 'ticket.offer-expired':
        await services.assignment.expire(job.offerId);
        return 'sent';
      case 'agent.offer':
        return await offers.show(job.agentId, job.offerId);
      case 'agent.offer-ended':
        return await offers.ended(job.agentId, job.offerId);
      case 'ticket.erased':
        await eraseCard({ id: job.ticketId, category: job.category, groupMessageId: job.groupMessageId });
        return 'sent';
      case 'message.edited':
        return await sync.edited(job.messageId);
      case 'message.deleted':
        return await sync.deleted(job.messageId);
      case 'message.reaction':
        return await sync.reaction(job.messageId);
    }
  };

  return async function deliver(job: OutboundJob): Promise<void> {
    try {
      // Run first: `metrics?.delivered(…, await runJob(job))` would skip the job itself without metrics.
      const outcome = await runJob(job);
      deps.metrics?.delivered(job.type, outcome);
    } catch (error) {
      if (error instanceof NoSupportGroup) {
        // Cards are requested again for every open ticket when a group is bound (/setup).
        logger.warn({ job }, error.message);
        deps.metrics?.delivered(job.type, 'skipped');
        return;
      }
      if (error instanceof NotFound) {
        // Its ticket, message or agent no longer exists (the visitor's data was erased): nothing to send.
        logger.info({ job }, `delivery skipped: ${error.message}`);
        deps.metrics?.delivered(job.type, 'skipped');
        return;
      }
      if (!isPermanentTelegramRefusal(error)) {
        logger.warn({ err: error, job }, 'delivery failed; will retry');
        throw error;
      }
      logger.warn(
        { job, errorCode: error.error_code, description: error.description },
        'Telegram refused a delivery; dropped',
      );
      deps.metrics?.delivered(job.type, 'refused');
      if ('agentId' in job && job.agentId !== undefined && error.error_code === 403) {
        await warnGroupAboutAgent(job.agentId).catch((warnError: unknown) =>
          logger.warn({ err: warnError }, 'could not warn the group'),
        );
      }
    }
  };
}
