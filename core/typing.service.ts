import { Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { Forbidden, NotFound, TicketClosed } from './errors.ts';
import type { EventBus } from './event-bus.ts';

export type TypingService = ReturnType<typeof createTypingService>;

/** Whose turn it is to show the visitor typing in Telegram, and where: the ticket's agent, if any. */
export type TypingTurn = { ticketId: number; agent: { id: number; tgChatId: number } | null };

/**
 * "Typing…" both ways. Ephemeral: nothing is stored but a timestamp, no job is queued; events go over the
 * bus (so they reach the bot or the visitor's stream on whichever instance holds them).
 */
export function createTypingService({ em, bus }: { em: EntityManager; bus: EventBus }) {
  return {
    /** The visitor is typing: published for the ticket they have open (none: nothing to show). */
    async visitorTyping(sessionId: string): Promise<void> {
      const ticket = await em.findOne(
        Ticket,
        { session: sessionId, status: { $ne: 'closed' } },
        { fields: ['id'] },
      );
      if (ticket) bus.publish({ type: 'visitor.typing', sessionId, ticketId: ticket.id });
    },

    /** The agent who has the ticket is typing (Mini App): the visitor's stream hears it. */
    async agentTyping(ticketId: number, agentId: number): Promise<void> {
      const ticket = await em.findOne(Ticket, ticketId, { populate: ['assignedAgent', 'session'] });
      if (!ticket) throw new NotFound('Ticket');
      if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
      if (ticket.assignedAgent?.id !== agentId)
        throw new Forbidden(`Ticket #${ticket.id} is not assigned to you`);
      bus.publish({
        type: 'agent.typing',
        sessionId: ticket.session.id,
        ticketId: ticket.id,
        agentName: ticket.assignedAgent.name,
      });
    },

    /**
     * Takes the turn to show the visitor typing on this open ticket, at most once per `intervalMs` across
     * every instance (one conditional update decides); null when another took it or the ticket closed.
     */
    async takeTypingTurn(ticketId: number, intervalMs: number): Promise<TypingTurn | null> {
      const rows = await em.getConnection().execute<{ agent_id: number | null; tg_chat_id: string | null }[]>(
        `update tickets t set typing_shown_at = now()
          where t.id = ? and t.status <> 'closed'
            and (t.typing_shown_at is null or t.typing_shown_at < now() - make_interval(secs => ?))
          returning t.assigned_agent_id as agent_id,
            (select a.tg_chat_id from agents a where a.id = t.assigned_agent_id) as tg_chat_id`,
        [ticketId, intervalMs / 1000],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        ticketId,
        agent:
          row.agent_id !== null && row.tg_chat_id !== null
            ? { id: row.agent_id, tgChatId: Number(row.tg_chat_id) }
            : null,
      };
    },
  };
}
