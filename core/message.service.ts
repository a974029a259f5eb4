import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MessageView, TicketView } from '../contract/api.ts';
import { Message, TelegramMessage } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { type StoredAgentMessage, storeAgentMessage } from './agent-message-store.ts';
import { MessageDeleted, NotFound } from './errors.ts';
import { createGroupCommit } from './group-commit.ts';
import type { OutboundJob } from './outbox.ts';
import type { ServiceDeps } from './service-deps.ts';
import { assertValidText } from './text-input.ts';
import { type MessageFields, type TicketFields, toMessageView, toTicketView } from './views.ts';
import {
  appendToOpenTickets,
  ClientIdReused,
  openTicketWith,
  readBackByClientIds,
  type StoredVisitorMessage,
} from './visitor-message-store.ts';

export type MessageService = ReturnType<typeof createMessageService>;

/**
 * `duplicate`: stored before (the same client id, or the same Telegram message): nothing new was stored or
 * delivered (it is published again unless `deleted`: deleted since, it stays so).
 */
export type SentMessage = {
  message: MessageView;
  ticket: TicketView;
  ticketCreated: boolean;
  duplicate?: boolean;
  deleted?: boolean;
};

/** `clientId`: the client's id for this send, kept across its retries: the message is stored once. */
export type VisitorMessageInput = {
  sessionId: string;
  body: string;
  category?: string;
  mediaUrl?: string;
  clientId?: string;
};

/** What a send's retry is compared with the stored message by: its body, and whether it carries a file. */
export type VisitorSend = { sessionId: string; body: string; withFile: boolean };

/**
 * A message an agent wrote in Telegram: its chat, topic and message id. Message ids are counted per chat,
 * so only the three together name it (an agent writes in their chat with the bot and in the group).
 */
export type TelegramOrigin = { chatId: number; threadId: number | null; messageId: number };

/** `telegram`: the agent's Telegram message it came from (absent for the Mini App). */
export type AgentMessageInput = {
  ticketId: number;
  agentId: number;
  body: string;
  mediaUrl?: string;
  telegram?: TelegramOrigin;
  /** The Telegram update it came in, recorded as handled when the message is stored (agent-message-store.ts). */
  updateId?: number;
};

/**
 * Stores that `message` is this agent's Telegram message, in the transaction `tx` that stores the message:
 * a second copy of the same Telegram message then fails on the links' unique (chat, message id).
 */
export function linkTelegramOrigin(tx: EntityManager, message: Message, origin: TelegramOrigin) {
  return tx.create(TelegramMessage, {
    ticket: message.ticket,
    message,
    chatId: origin.chatId,
    threadId: origin.threadId,
    tgMessageId: origin.messageId,
    role: 'agent',
  });
}

/**
 * `duplicate`: this Telegram message was stored before; nothing new was stored or delivered (it is published again,
 * unless deleted since).
 * `updateRecorded`: the input's `updateId` was recorded as handled with the message.
 */
export type SentAgentMessage = SentMessage & {
  sessionId: string;
  duplicate: boolean;
  updateRecorded: boolean;
};

export function createMessageService({ em, bus, outbox, autoAssign = false }: ServiceDeps) {
  /** A message deleted since it was stored (a retry's or a redelivery's copy) is not published again. */
  const publish = (sessionId: string, sent: SentMessage) => {
    if (sent.deleted) return;
    if (sent.ticketCreated) bus.publish({ type: 'ticket.updated', sessionId, ticket: sent.ticket });
    bus.publish({ type: 'message.created', sessionId, ticketId: sent.ticket.id, message: sent.message });
  };

  /** The Telegram deliveries of a visitor's message. */
  const deliveryJobs = (
    ticket: TicketFields,
    message: MessageFields,
    ticketCreated: boolean,
  ): OutboundJob[] => {
    if (ticket.assignedAgent) {
      return [{ type: 'agent.message', agentId: ticket.assignedAgent.id, messageId: message.id }];
    }
    // A new ticket gets its card; later messages refresh it rather than post again.
    return [
      { type: 'ticket.card', ticketId: ticket.id },
      ...(ticketCreated ? [{ type: 'ticket.after-hours', ticketId: ticket.id } as const] : []),
      ...(ticketCreated && autoAssign ? [{ type: 'ticket.assign', ticketId: ticket.id } as const] : []),
    ];
  };

  const sent = ({
    ticket,
    message,
    ticketCreated,
    duplicate,
    deleted,
  }: StoredVisitorMessage): SentMessage => ({
    message: toMessageView(message),
    ticket: toTicketView(ticket),
    ticketCreated,
    duplicate: Boolean(duplicate),
    deleted: Boolean(deleted),
  });

  /**
   * The answer to a send, stored now or before under its client id. One stored before must be this
   * send's message: the same body (or one the visitor edited since: a retry still carries the text first
   * sent) and a file if and only if this send has one; anything else is a client's mistake (409). A
   * retry's stored copy is published again: the instance that stored it may have died before it
   * published (streams send a message once however often it is published). One the visitor deleted since
   * stays deleted: refused (410), not published (its file may be gone too, so it is not compared).
   */
  const answerSend = (stored: SentMessage, send: VisitorSend): SentMessage => {
    if (stored.deleted) throw new MessageDeleted();
    const earlier = stored.message;
    const anotherBody = earlier.body !== send.body && !earlier.edited_at;
    if (stored.duplicate && (anotherBody || Boolean(earlier.media_url) !== send.withFile)) {
      throw new ClientIdReused();
    }
    publish(send.sessionId, stored);
    return stored;
  };

  /**
   * Messages on open tickets, written by group commit: the messages that arrive while a group is being
   * written go together in the next, in one transaction: one statement adds them all
   * (appendToOpenTickets), then one more enqueues all their deliveries. Per message: what was stored,
   * or why not (null: no open ticket).
   */
  const appendGroup = createGroupCommit((inputs: VisitorMessageInput[]) =>
    em.fork().transactional(async (tx) => {
      const stored = await appendToOpenTickets(tx, inputs);
      await outbox.enqueueMany(
        tx,
        stored.flatMap((entry) =>
          entry && entry !== 'no session' && !entry.duplicate
            ? deliveryJobs(entry.ticket, entry.message, false)
            : [],
        ),
      );
      return stored.map((entry) => (entry && entry !== 'no session' ? sent(entry) : entry));
    }),
  );

  /**
   * A session without an open ticket: one transaction opens it with the message and enqueues its
   * deliveries (the card, the after-hours timer).
   */
  const openTicket = (input: VisitorMessageInput) =>
    em.transactional(async (tx): Promise<SentMessage> => {
      const stored = await openTicketWith(tx, input);
      await outbox.enqueueMany(tx, deliveryJobs(stored.ticket, stored.message, stored.ticketCreated));
      return sent(stored);
    });

  /** The message stored for this Telegram message of the agent, if any. */
  const findAgentMessage = async (telegram: TelegramOrigin | undefined) => {
    if (!telegram) return null;
    const fork = em.fork();
    const link = await fork.findOne(
      TelegramMessage,
      { chatId: telegram.chatId, tgMessageId: telegram.messageId, role: 'agent' },
      { fields: ['message'] },
    );
    if (!link?.message) return null;
    return fork.findOne(Message, link.message.id, { populate: ['agent', 'ticket.assignedAgent', 'session'] });
  };

  const asDuplicate = (message: Message): SentAgentMessage => ({
    sessionId: message.session.id,
    message: toMessageView(message),
    ticket: toTicketView(message.ticket),
    ticketCreated: false,
    duplicate: true,
    deleted: Boolean(message.deletedAt),
    updateRecorded: false,
  });

  return {
    /** A visitor's message: opens a ticket when the session has none open (the database allows only one). */
    async sendVisitorMessage(input: VisitorMessageInput): Promise<SentMessage> {
      assertValidText(input.body, 'body');
      // A group fails as a whole (a deadlock with an erasure, a lost connection): this message is then
      // written again on its own below, so it fails only for a reason of its own.
      const appended = await appendGroup.submit(input).catch(() => null);
      if (appended === 'no session') throw new NotFound('Session');
      let stored = appended;
      try {
        stored ??= await openTicket(input);
      } catch (error) {
        // A concurrent first message opened the ticket a moment ago: add this one to it. Or this send's
        // client id was stored a moment ago (its retry, or the group failed after a commit elsewhere):
        // that message is the answer.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        const [earlier] = await readBackByClientIds(em.fork(), [input]);
        stored = earlier ? sent(earlier) : await openTicket(input);
      }
      return answerSend(stored, { ...input, withFile: Boolean(input.mediaUrl) });
    },

    /**
     * The message stored before under this send's client id (a retry whose first answer was lost), as a
     * duplicate, or null. An upload looks before it reads its file, so that a retry stores none; it then
     * answers with answerVisitorRetry.
     */
    async findVisitorSend(sessionId: string, clientId: string): Promise<SentMessage | null> {
      const [earlier] = await readBackByClientIds(em.fork(), [{ sessionId, clientId }]);
      return earlier ? sent(earlier) : null;
    },

    /**
     * A retried send answered with what findVisitorSend found: refused (ClientIdReused) when the send is
     * another message than the stored one, else published again, as sendVisitorMessage does with a retry.
     */
    answerVisitorRetry(stored: SentMessage, send: VisitorSend): SentMessage {
      assertValidText(send.body, 'body');
      return answerSend(stored, send);
    },

    /**
     * Publishes again the agent's message stored from this Telegram message, if there is one: its update
     * came again after it was handled, perhaps because the instance that stored it died before answering
     * Telegram, and so perhaps before publishing it. Nothing when the message stored nothing.
     */
    async publishAgentMessageAgain(telegram: TelegramOrigin): Promise<void> {
      const stored = await findAgentMessage(telegram);
      if (!stored) return;
      const copy = asDuplicate(stored);
      publish(copy.sessionId, copy);
    },

    /**
     * An agent's reply on a ticket assigned to them. With `telegram` (the agent's Telegram message) it is
     * stored once, with its link: the same Telegram message again (a redelivered update) returns the
     * stored message with `duplicate: true`, published again and delivered nowhere. The links' unique (chat, message id)
     * decides between copies handled at the same moment (two instances).
     */
    async sendAgentMessage(input: AgentMessageInput): Promise<SentAgentMessage> {
      assertValidText(input.body, 'body');
      let stored: StoredAgentMessage;
      try {
        stored = await storeAgentMessage(em.fork(), input);
      } catch (error) {
        const raced =
          error instanceof UniqueConstraintViolationException ? await findAgentMessage(input.telegram) : null;
        if (!raced) throw error;
        const copy = asDuplicate(raced);
        publish(copy.sessionId, copy);
        return copy;
      }
      const sent: SentAgentMessage = {
        sessionId: stored.message.session.id,
        message: toMessageView(stored.message),
        ticket: toTicketView(stored.ticket),
        ticketCreated: false,
        duplicate: stored.duplicate,
        deleted: Boolean(stored.message.deletedAt),
        updateRecorded: stored.updateRecorded,
      };
      // A redelivered update's message is published again, as a retried visitor send's is.
      publish(sent.sessionId, sent);
      return sent;
    },
  };
}
