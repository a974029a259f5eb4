import type { TicketView } from '../contract/api.ts';
import { Agent, Message, Pass, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { Forbidden, NotFound, TicketAlreadyClaimed, TicketClosed } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import { toMessageView, toTicketView } from './views.ts';

export type TicketService = ReturnType<typeof createTicketService>;

/** Who closes a ticket: the visitor who owns it, or an agent. */
export type CloseActor = { kind: 'visitor'; sessionId: string } | { kind: 'agent'; agentId: number };

export function createTicketService({ em, bus }: { em: EntityManager; bus: EventBus }) {
  const loadTicket = async (tx: EntityManager, ticketId: number) => {
    const ticket = await tx.findOne(Ticket, ticketId, { populate: ['assignedAgent', 'session'] });
    if (!ticket) throw new NotFound('Ticket');
    return ticket;
  };

  const publishChange = (ticket: Ticket, systemMessage: Message | undefined) => {
    const sessionId = ticket.session.id;
    bus.publish({ type: 'ticket.updated', sessionId, ticket: toTicketView(ticket) });
    if (systemMessage) {
      bus.publish({
        type: 'message.created',
        sessionId,
        ticketId: ticket.id,
        message: toMessageView(systemMessage),
      });
    }
  };

  return {
    async get(ticketId: number): Promise<TicketView> {
      return toTicketView(await loadTicket(em, ticketId));
    },

    /**
     * Claims an open ticket for an agent. Atomic: the conditional UPDATE lets exactly one of any number of
     * concurrent claims win; the others get TicketAlreadyClaimed naming the winner. Claiming one's own
     * ticket again is a no-op.
     */
    async claim(ticketId: number, agentId: number): Promise<TicketView> {
      const outcome = await em.transactional(async (tx) => {
        const won = await tx.nativeUpdate(
          Ticket,
          { id: ticketId, status: 'open', assignedAgent: null },
          { status: 'claimed', assignedAgent: agentId, claimedAt: new Date() },
        );
        const ticket = await loadTicket(tx, ticketId);
        if (!won) {
          if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
          if (ticket.assignedAgent?.id === agentId) return { ticket, systemMessage: undefined };
          throw new TicketAlreadyClaimed(ticket.id, ticket.assignedAgent?.name ?? 'another agent');
        }
        const agent = ticket.assignedAgent as Agent;
        agent.activeTicket = ticket;
        const systemMessage = tx.create(Message, {
          ticket,
          session: ticket.session,
          sender: 'system',
          body: `${agent.name} joined the conversation`,
        });
        await tx.flush();
        return { ticket, systemMessage };
      });
      if (outcome.systemMessage) publishChange(outcome.ticket, outcome.systemMessage);
      return toTicketView(outcome.ticket);
    },

    /** An agent declines an open ticket: recorded once per agent; the ticket stays in the queue. */
    async pass(ticketId: number, agentId: number): Promise<{ ticket: TicketView; passedBy: string[] }> {
      return em.transactional(async (tx) => {
        const ticket = await loadTicket(tx, ticketId);
        if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
        if (ticket.assignedAgent) throw new TicketAlreadyClaimed(ticket.id, ticket.assignedAgent.name);
        await tx
          .createQueryBuilder(Pass)
          .insert({ ticket: ticketId, agent: agentId, createdAt: new Date() })
          .onConflict(['ticket', 'agent'])
          .ignore()
          .execute();
        const passes = await tx.find(
          Pass,
          { ticket: ticketId },
          { populate: ['agent'], orderBy: { id: 'asc' } },
        );
        return { ticket: toTicketView(ticket), passedBy: passes.map((pass) => pass.agent.name) };
      });
    },

    /**
     * Closes a ticket. A visitor may close only their own (any other answers NotFound); an agent, an
     * unclaimed ticket or one assigned to them. Closing a closed ticket changes nothing.
     */
    async close(ticketId: number, actor: CloseActor): Promise<TicketView> {
      const outcome = await em.transactional(async (tx) => {
        const ticket = await loadTicket(tx, ticketId);
        let closedBy = 'the visitor';
        if (actor.kind === 'visitor') {
          if (ticket.session.id !== actor.sessionId) throw new NotFound('Ticket');
        } else {
          const agent = await tx.findOne(Agent, actor.agentId);
          if (!agent) throw new NotFound('Agent');
          if (ticket.assignedAgent && ticket.assignedAgent.id !== agent.id) {
            throw new Forbidden(`Ticket #${ticket.id} is assigned to ${ticket.assignedAgent.name}`);
          }
          closedBy = agent.name;
        }
        const changed = await tx.nativeUpdate(
          Ticket,
          { id: ticketId, status: { $ne: 'closed' } },
          { status: 'closed', closedAt: new Date() },
        );
        if (!changed) return { ticket, systemMessage: undefined };
        await tx.nativeUpdate(Agent, { activeTicket: ticketId }, { activeTicket: null });
        await tx.refresh(ticket);
        const systemMessage = tx.create(Message, {
          ticket,
          session: ticket.session,
          sender: 'system',
          body: `Conversation closed by ${closedBy}`,
        });
        await tx.flush();
        return { ticket, systemMessage };
      });
      if (outcome.systemMessage) publishChange(outcome.ticket, outcome.systemMessage);
      return toTicketView(outcome.ticket);
    },
  };
}
