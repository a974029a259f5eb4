import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MessageView, TicketView } from '../contract/api.ts';
import { Agent, Message, SupportSession, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { Forbidden, NotFound, TicketClosed } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import { toMessageView, toTicketView } from './views.ts';

export type MessageService = ReturnType<typeof createMessageService>;

export type SentMessage = { message: MessageView; ticket: TicketView; ticketCreated: boolean };

export function createMessageService({ em, bus }: { em: EntityManager; bus: EventBus }) {
  const publish = (sessionId: string, sent: SentMessage) => {
    if (sent.ticketCreated) bus.publish({ type: 'ticket.updated', sessionId, ticket: sent.ticket });
    bus.publish({ type: 'message.created', sessionId, ticketId: sent.ticket.id, message: sent.message });
  };

  /** One attempt: find the session's open ticket (or open one) and store the message, in one transaction. */
  const storeVisitorMessage = (sessionId: string, body: string, category: string | undefined) =>
    em.transactional(async (tx): Promise<SentMessage> => {
      const session = await tx.findOne(SupportSession, sessionId);
      if (!session) throw new NotFound('Session');
      let ticket = await tx.findOne(
        Ticket,
        { session, status: { $ne: 'closed' } },
        { populate: ['assignedAgent'] },
      );
      const ticketCreated = !ticket;
      ticket ??= tx.create(Ticket, { session, category: category ?? null });
      const message = tx.create(Message, { ticket, session, sender: 'visitor', body });
      session.lastSeenAt = new Date();
      await tx.flush();
      return { message: toMessageView(message), ticket: toTicketView(ticket), ticketCreated };
    });

  return {
    /** A visitor's message: opens a ticket when the session has none open (the database allows only one). */
    async sendVisitorMessage(input: {
      sessionId: string;
      body: string;
      category?: string;
    }): Promise<SentMessage> {
      let sent: SentMessage;
      try {
        sent = await storeVisitorMessage(input.sessionId, input.body, input.category);
      } catch (error) {
        // A concurrent first message opened the ticket a moment ago: add this one to it.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        sent = await storeVisitorMessage(input.sessionId, input.body, input.category);
      }
      publish(input.sessionId, sent);
      return sent;
    },

    /** An agent's reply on a ticket assigned to them. */
    async sendAgentMessage(input: {
      ticketId: number;
      agentId: number;
      body: string;
      mediaUrl?: string;
      tgMessageId?: number;
    }): Promise<SentMessage & { sessionId: string }> {
      const result = await em.transactional(async (tx) => {
        const ticket = await tx.findOne(Ticket, input.ticketId, { populate: ['assignedAgent', 'session'] });
        if (!ticket) throw new NotFound('Ticket');
        if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
        if (ticket.assignedAgent?.id !== input.agentId) {
          throw new Forbidden(`Ticket #${ticket.id} is not assigned to you`);
        }
        const message = tx.create(Message, {
          ticket,
          session: ticket.session,
          sender: 'agent',
          agent: tx.getReference(Agent, input.agentId),
          body: input.body,
          mediaUrl: input.mediaUrl ?? null,
          tgMessageId: input.tgMessageId ?? null,
        });
        message.agent = ticket.assignedAgent;
        await tx.flush();
        return {
          sessionId: ticket.session.id,
          message: toMessageView(message),
          ticket: toTicketView(ticket),
          ticketCreated: false,
        };
      });
      publish(result.sessionId, result);
      return result;
    },
  };
}
