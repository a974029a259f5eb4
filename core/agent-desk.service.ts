import { Agent, Message, Pass, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import { toTicketView } from './views.ts';

export type AgentDeskService = ReturnType<typeof createAgentDeskService>;

/** What the support group's card shows about a ticket. */
export type TicketCard = {
  id: number;
  status: Ticket['status'];
  category: string | null;
  firstMessage: string;
  latestMessage: string | null;
  visitorMessageCount: number;
  passedBy: string[];
  claimedBy: { name: string; username: string | null } | null;
  contact: { email: string | null; phone: string | null } | null;
  groupMessageId: number | null;
  /** The visitor's language (from the widget), e.g. `ru`. */
  locale: string | null;
  rating: { stars: number; comment: string | null } | null;
  /** The host page the visitor is on (as last reported by the widget). */
  page: { url: string; title: string | null } | null;
  /** Who the host site says the visitor is (`Switchboard.identify`, verified). */
  identity: { name: string | null; email: string | null } | null;
  /** low / normal / high (the card marks low and high). */
  priority?: Ticket['priority'];
};

export type QueueEntry = {
  id: number;
  category: string | null;
  priority?: Ticket['priority'];
  preview: string;
  passes: number;
  createdAt: Date;
};
export type AgentTicket = { id: number; category: string | null; unread: number; active: boolean };

/** Telegram's reasons are short; this bounds what one refusal can store. */
const DELIVERY_ERROR_MAX_LENGTH = 500;

/**
 * The agents' read side: cards, the queue, an agent's tickets, history; plus what the delivery worker
 * records (the card's message id, relayed and undeliverable messages). With `bus`, marking a message
 * undeliverable tells the agents' live views to refetch the ticket.
 */
export function createAgentDeskService({ em, bus }: { em: EntityManager; bus?: EventBus }) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);

  return {
    async card(ticketId: number): Promise<TicketCard> {
      const ticket = await em.findOne(Ticket, ticketId, { populate: ['assignedAgent', 'session'] });
      if (!ticket) throw new NotFound('Ticket');
      // Only what the card shows of the conversation, however long it is: the first and latest visitor
      // messages and their count (the partial index on visitor messages by ticket answers each).
      const [[visitor], passes] = await Promise.all([
        sql<{ first: string | null; latest: string | null; count: number }>(
          `select
             (select body from messages where ticket_id = ? and sender = 'visitor' and deleted_at is null
               order by id limit 1) as first,
             (select body from messages where ticket_id = ? and sender = 'visitor' and deleted_at is null
               order by id desc limit 1) as latest,
             (select count(*)::int from messages where ticket_id = ? and sender = 'visitor'
               and deleted_at is null) as count`,
          [ticket.id, ticket.id, ticket.id],
        ),
        em.find(Pass, { ticket }, { populate: ['agent'], orderBy: { id: 'asc' } }),
      ]);
      const visitorMessageCount = Number(visitor?.count ?? 0);
      const { contactEmail, contactPhone } = ticket.session;
      return {
        id: ticket.id,
        status: ticket.status,
        category: ticket.category ?? null,
        priority: ticket.priority,
        firstMessage: visitor?.first ?? '',
        latestMessage: visitorMessageCount > 1 ? (visitor?.latest ?? null) : null,
        visitorMessageCount,
        passedBy: passes.map((pass) => pass.agent.name),
        claimedBy: ticket.assignedAgent
          ? { name: ticket.assignedAgent.name, username: ticket.assignedAgent.tgUsername ?? null }
          : null,
        contact:
          contactEmail || contactPhone ? { email: contactEmail ?? null, phone: contactPhone ?? null } : null,
        groupMessageId: ticket.groupMessageId ?? null,
        locale: ticket.session.locale ?? null,
        rating: ticket.rating ? { stars: ticket.rating, comment: ticket.ratingComment ?? null } : null,
        page: ticket.session.pageUrl
          ? { url: ticket.session.pageUrl, title: ticket.session.pageTitle ?? null }
          : null,
        identity: ticket.session.externalId
          ? { name: ticket.session.visitorName ?? null, email: ticket.session.visitorEmail ?? null }
          : null,
      };
    },

    /** Records the card's message id; false when the ticket is gone (erased while its card was posted). */
    async setCardMessageId(ticketId: number, messageId: number): Promise<boolean> {
      return (await em.nativeUpdate(Ticket, { id: ticketId }, { groupMessageId: messageId })) > 0;
    },

    /** Unclaimed tickets, oldest first, with the first visitor message and how many agents passed. */
    async queue(limit = 20): Promise<QueueEntry[]> {
      const rows = await sql<{
        id: number;
        category: string | null;
        priority: Ticket['priority'];
        preview: string | null;
        passes: number;
        created_at: Date;
      }>(
        `select t.id, t.category, t.priority, t.created_at,
           (select m.body from messages m where m.ticket_id = t.id and m.sender = 'visitor' order by m.id limit 1) as preview,
           (select count(*)::int from passes p where p.ticket_id = t.id) as passes
         from tickets t where t.status = 'open'
         order by (case t.priority when 'high' then 0 when 'normal' then 1 else 2 end), t.id limit ?`,
        [limit],
      );
      return rows.map((row) => ({
        id: row.id,
        category: row.category,
        priority: row.priority,
        preview: row.preview ?? '',
        passes: row.passes,
        createdAt: new Date(row.created_at),
      }));
    },

    /** An agent's claimed tickets; `unread` counts visitor messages after the agent's last reply. */
    async agentTickets(agentId: number): Promise<AgentTicket[]> {
      if (!(await em.count(Agent, { id: agentId }))) throw new NotFound('Agent');
      const rows = await sql<{ id: number; category: string | null; unread: number; active: boolean }>(
        `select t.id, t.category, (t.id = a.active_ticket_id) as active,
           (select count(*)::int from messages m where m.ticket_id = t.id and m.sender = 'visitor'
              and m.id > coalesce((select max(a.id) from messages a where a.ticket_id = t.id and a.sender = 'agent'), 0)
           ) as unread
         from tickets t join agents a on a.id = t.assigned_agent_id
         where t.assigned_agent_id = ? and t.status = 'claimed'
         order by (case t.priority when 'high' then 0 when 'normal' then 1 else 2 end), t.id`,
        [agentId],
      );
      return rows.map((row) => ({ ...row, active: Boolean(row.active) }));
    },

    /** A ticket's messages so far, oldest first, without deleted ones (for the agent who just connected). */
    async history(ticketId: number) {
      return em.find(
        Message,
        { ticket: ticketId, deletedAt: null },
        { orderBy: { id: 'asc' }, populate: ['agent'] },
      );
    },

    /** The visitor session a ticket belongs to. */
    async sessionOf(ticketId: number): Promise<string> {
      const ticket = await em.findOne(Ticket, ticketId, { fields: ['id', 'session'] });
      if (!ticket) throw new NotFound('Ticket');
      return ticket.session.id;
    },

    /**
     * The ticket's visitor messages up to `uptoId` (default: all) not yet relayed, oldest first. Relaying
     * these (not just one) keeps the agent's DM in order even when jobs run out of order. Messages that
     * Telegram refused for good are left out: one of them must not hold back the ones after it.
     */
    async unrelayed(ticketId: number, uptoId = Number.MAX_SAFE_INTEGER) {
      return em.find(
        Message,
        {
          ticket: ticketId,
          sender: 'visitor',
          relayedAt: null,
          undeliverableAt: null,
          deletedAt: null,
          id: { $lte: uptoId },
        },
        { orderBy: { id: 'asc' }, populate: ['ticket'] },
      );
    },

    /**
     * Telegram refused to deliver the message for good (`reason`: its description): it is skipped from now
     * on and shown to agents as not delivered. Answers how many messages are undeliverable in all, for
     * the operator's log.
     */
    async markUndeliverable(messageId: number, reason: string): Promise<{ undeliverableTotal: number }> {
      await em.nativeUpdate(
        Message,
        { id: messageId },
        { undeliverableAt: new Date(), deliveryError: reason.slice(0, DELIVERY_ERROR_MAX_LENGTH) },
      );
      const message = await em.findOne(Message, messageId, {
        populate: ['ticket.assignedAgent'],
        refresh: true,
      });
      if (message && bus) {
        bus.publish({
          type: 'ticket.updated',
          sessionId: message.ticket.session.id,
          ticket: toTicketView(message.ticket),
        });
      }
      return { undeliverableTotal: await em.count(Message, { undeliverableAt: { $ne: null } }) };
    },

    /** The agent was shown these visitor messages (the "connected" history): not relayed one by one. */
    async markShown(messageIds: number[]): Promise<void> {
      if (!messageIds.length) return;
      await em.nativeUpdate(
        Message,
        { id: { $in: messageIds }, sender: 'visitor', relayedAt: null },
        { relayedAt: new Date() },
      );
    },

    async markRelayed(messageId: number, tgMessageId: number): Promise<void> {
      await em.nativeUpdate(Message, { id: messageId }, { relayedAt: new Date(), tgMessageId });
    },

    async message(messageId: number) {
      const message = await em.findOne(Message, messageId, {
        populate: ['ticket.assignedAgent', 'agent'],
      });
      if (!message) throw new NotFound('Message');
      return message;
    },
  };
}
