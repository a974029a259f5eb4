import { Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound, TicketClosed } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import type { Outbox } from './outbox.ts';
import { toTicketView } from './views.ts';

export type TicketPriority = Ticket['priority'];
export type TicketPriorityService = ReturnType<typeof createTicketPriorityService>;

/**
 * A ticket's priority (low / normal / high), set by agents in the Mini App or with `/priority` in the
 * ticket's thread. High-priority tickets come first in every queue; the card shows it (refreshed through
 * the durable card job). Agents' live views hear of it as a ticket change.
 */
export function createTicketPriorityService({
  em,
  bus,
  outbox,
}: {
  em: EntityManager;
  bus: EventBus;
  outbox: Outbox;
}) {
  return {
    async set(ticketId: number, priority: TicketPriority) {
      const ticket = await em.transactional(async (tx) => {
        const ticket = await tx.findOne(Ticket, ticketId, { populate: ['assignedAgent'] });
        if (!ticket) throw new NotFound('Ticket');
        if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
        if (ticket.priority === priority) return ticket;
        ticket.priority = priority;
        await tx.flush();
        // The version the trigger gave the row, for the event.
        await tx.refresh(ticket);
        await outbox.enqueue(tx, { type: 'ticket.card', ticketId });
        return ticket;
      });
      bus.publish({ type: 'ticket.updated', sessionId: ticket.session.id, ticket: toTicketView(ticket) });
      return ticket;
    },
  };
}
