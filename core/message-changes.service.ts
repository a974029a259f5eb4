import { LockMode } from '@mikro-orm/core';
import type { MessageView, VisitorReaction } from '../contract/api.ts';
import { Message, TelegramMessage, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { EditWindowExpired, Forbidden, NotFound, TicketClosed } from './errors.ts';
import type { OutboundJob } from './outbox.ts';
import type { ServiceDeps } from './service-deps.ts';
import { assertValidText, visibleTextOrUndefined } from './text-input.ts';
import { toMessageView } from './views.ts';

export type MessageChangeService = ReturnType<typeof createMessageChangeService>;

/** How long after sending a visitor may edit or delete a message, by default. */
export const DEFAULT_EDIT_WINDOW_MS = 15 * 60 * 1000;

/** A Telegram message, by chat and message id. */
export type TelegramMessageRef = { chatId: number; tgMessageId: number };

/**
 * Messages changing after they were sent, both ways, as in Telegram: the visitor edits or deletes their
 * own recent messages and reacts to the agent's; the agent edits their messages in Telegram, reacts there
 * to the visitor's, and deletes their messages in the Mini App. Each change commits with the Telegram job
 * it needs (the outbox), then is published (`message.updated` / `message.deleted`).
 */
export function createMessageChangeService({
  em,
  bus,
  outbox,
  editWindowMs = DEFAULT_EDIT_WINDOW_MS,
}: ServiceDeps & { editWindowMs?: number }) {
  const updated = (message: Message) => {
    const view = toMessageView(message);
    bus.publish({
      type: 'message.updated',
      sessionId: message.session.id,
      ticketId: view.ticket_id,
      message: view,
    });
    return view;
  };

  /** The job for the ticket's agent's queue (or the group's, while nobody claimed it). */
  const jobFor = (
    type: 'message.edited' | 'message.deleted' | 'message.reaction',
    message: Message,
    agentId: number | null | undefined,
  ): OutboundJob => (agentId ? { type, messageId: message.id, agentId } : { type, messageId: message.id });

  /**
   * The visitor's own message, locked, with its ticket (and agent): another session's, or one deleted,
   * is not found; anything but the visitor's own is refused.
   */
  const ownMessage = async (
    tx: EntityManager,
    sessionId: string,
    messageId: number,
    sender: 'visitor' | 'agent',
  ) => {
    const where = { id: messageId, session: sessionId, deletedAt: null };
    const found = await tx.findOne(Message, where, { fields: ['id', 'ticket'] });
    if (!found) throw new NotFound('Message');
    // The ticket first, as sending and claiming lock it: a claim committing now is seen (the change then
    // goes to the agent who won), and a change is never ordered between a claim and its history.
    await tx.findOne(Ticket, found.ticket.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const message = await tx.findOne(Message, where, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!message) throw new NotFound('Message');
    await tx.populate(message, ['ticket.assignedAgent', 'agent', 'session'], { refresh: true });
    if (message.sender !== sender) {
      throw new Forbidden(
        sender === 'visitor'
          ? 'Only your own messages can be changed'
          : 'Only agents’ messages take reactions',
      );
    }
    return message;
  };

  /** The visitor may still change it: their ticket is open and it is recent enough. */
  const assertChangeable = (message: Message) => {
    if (message.ticket.status === 'closed') throw new TicketClosed(message.ticket.id);
    if (Date.now() - message.createdAt.getTime() > editWindowMs) {
      throw new EditWindowExpired(Math.round(editWindowMs / 1000));
    }
  };

  /** The stored message a Telegram message of this agent shows: one they wrote (`agent`) or a visitor's. */
  const messageOfTelegram = async (ref: TelegramMessageRef, role: 'agent' | 'visitor') => {
    const link = await em.findOne(TelegramMessage, {
      chatId: ref.chatId,
      tgMessageId: ref.tgMessageId,
      role,
      message: { $ne: null },
    });
    return link?.message ? link.message.id : null;
  };

  return {
    /** Seconds after sending during which a visitor may edit or delete a message. */
    editWindowSeconds: Math.round(editWindowMs / 1000),

    /** The visitor changes the text of one of their recent messages; its Telegram copies follow. */
    async editByVisitor(input: { sessionId: string; messageId: number; body: string }): Promise<MessageView> {
      assertValidText(input.body, 'body');
      const result = await em.transactional(async (tx) => {
        const message = await ownMessage(tx, input.sessionId, input.messageId, 'visitor');
        assertChangeable(message);
        if (message.body === input.body) return { message, changed: false };
        message.body = input.body;
        message.editedAt = new Date();
        await tx.flush();
        await outbox.enqueue(tx, jobFor('message.edited', message, message.ticket.assignedAgent?.id));
        return { message, changed: true };
      });
      return result.changed ? updated(result.message) : toMessageView(result.message);
    },

    /** The visitor deletes one of their recent messages: gone from their views; the agent's copies go too. */
    async deleteByVisitor(input: { sessionId: string; messageId: number }): Promise<void> {
      const message = await em.transactional(async (tx) => {
        const own = await ownMessage(tx, input.sessionId, input.messageId, 'visitor');
        assertChangeable(own);
        own.deletedAt = new Date();
        await tx.flush();
        await outbox.enqueue(tx, jobFor('message.deleted', own, own.ticket.assignedAgent?.id));
        return own;
      });
      bus.publish({
        type: 'message.deleted',
        sessionId: input.sessionId,
        ticketId: message.ticket.id,
        messageId: message.id,
        sender: 'visitor',
      });
    },

    /**
     * The visitor's reaction to an agent's message (null takes it back); set on the agent's Telegram
     * message when it has one. Any time, like Telegram's reactions.
     */
    async reactByVisitor(input: {
      sessionId: string;
      messageId: number;
      emoji: VisitorReaction | null;
    }): Promise<MessageView> {
      const result = await em.transactional(async (tx) => {
        const message = await ownMessage(tx, input.sessionId, input.messageId, 'agent');
        if ((message.visitorReaction ?? null) === input.emoji) return { message, changed: false };
        message.visitorReaction = input.emoji;
        await tx.flush();
        // Written in Telegram (linked when stored), not in the Mini App.
        const inTelegram = (await tx.count(TelegramMessage, { message, role: 'agent' })) > 0;
        if (inTelegram) await outbox.enqueue(tx, jobFor('message.reaction', message, message.agent?.id));
        return { message, changed: true };
      });
      return result.changed ? updated(result.message) : toMessageView(result.message);
    },

    /**
     * The agent edited their Telegram message: the stored message follows (no time limit, as for the bot's
     * own messages). Answers false when that Telegram message is not one of theirs the visitor got.
     */
    async editFromTelegram(input: TelegramMessageRef & { agentId: number; body: string }): Promise<boolean> {
      assertValidText(input.body, 'body');
      // Only a Telegram message linked as this agent's (by chat and id: ids are counted per chat).
      const linked = await messageOfTelegram(input, 'agent');
      if (!linked) return false;
      const message = await em.transactional(async (tx) => {
        const found = await tx.findOne(
          Message,
          { id: linked, sender: 'agent', agent: input.agentId, deletedAt: null },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!found) return null;
        await tx.populate(found, ['ticket', 'agent', 'session']);
        const body = visibleTextOrUndefined(input.body) ?? '';
        // A text cannot become empty in Telegram; a caption can, when there is a file to show.
        if (found.body === body || (!body && !found.mediaUrl)) return null;
        found.body = body;
        found.editedAt = new Date();
        await tx.flush();
        return found;
      });
      if (!message) return false;
      updated(message);
      return true;
    },

    /**
     * The agent's reaction in Telegram to the copy of a visitor's message (null: taken back). Only the
     * agent who has the ticket speaks for it. Answers false when the message is none of theirs to react to.
     */
    async reactFromTelegram(
      input: TelegramMessageRef & { agentId: number; emoji: string | null },
    ): Promise<boolean> {
      const linked = await messageOfTelegram(input, 'visitor');
      if (!linked) return false;
      const message = await em.transactional(async (tx) => {
        const found = await tx.findOne(
          Message,
          { id: linked, sender: 'visitor', deletedAt: null },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!found) return null;
        await tx.populate(found, ['ticket.assignedAgent', 'agent', 'session']);
        if (found.ticket.assignedAgent?.id !== input.agentId) return null;
        if ((found.agentReaction ?? null) === input.emoji) return null;
        found.agentReaction = input.emoji;
        await tx.flush();
        return found;
      });
      if (!message) return false;
      updated(message);
      return true;
    },

    /** The agent deletes one of their messages (Mini App): gone for the visitor, marked for agents. */
    async deleteByAgent(input: { ticketId: number; agentId: number; messageId: number }): Promise<void> {
      const message = await em.transactional(async (tx) => {
        const found = await tx.findOne(
          Message,
          { id: input.messageId, ticket: input.ticketId, deletedAt: null },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!found) throw new NotFound('Message');
        await tx.populate(found, ['session', 'agent', 'ticket']);
        if (found.sender !== 'agent' || found.agent?.id !== input.agentId) {
          throw new Forbidden('Only your own messages can be deleted');
        }
        found.deletedAt = new Date();
        await tx.flush();
        return found;
      });
      bus.publish({
        type: 'message.deleted',
        sessionId: message.session.id,
        ticketId: input.ticketId,
        messageId: message.id,
        sender: 'agent',
      });
    },
  };
}
