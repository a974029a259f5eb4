import { LockMode } from '@mikro-orm/core';
import { Pass, Ticket, TicketOffer } from '../db/entities/index.ts';
import type { OfferOutcome } from '../db/entities/ticket-offer.entity.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound, OfferEnded } from './errors.ts';
import type { Outbox } from './outbox.ts';
import type { PresenceService, TeamMember } from './presence.service.ts';
import { hasSkill } from './skills.ts';

export type AssignmentService = ReturnType<typeof createAssignmentService>;
export type AssignmentMode = 'manual' | 'auto';

/** An offer as the bot shows it in the agent's chat. */
export type OfferView = {
  id: number;
  ticketId: number;
  agentId: number;
  outcome: OfferOutcome | null;
  expiresAt: Date;
  tgMessageId: number | null;
  /** Who holds the ticket now, if anyone (after a claim elsewhere). */
  claimedBy: string | null;
};

/**
 * `ASSIGNMENT=auto` (issue 13 §2): a waiting ticket is offered to the online agent with its skill who has
 * the fewest open tickets (ties: longest idle), under `capacity`; they accept (a claim that only wins
 * while the offer is live — see tickets.claim) or pass within `offerMs`, else it goes to the next. An
 * agent is offered a ticket once; nobody left → the ticket waits on the group's card as in manual mode.
 * Every step runs on a locked ticket row, so offers, claims from the card or the app, passes and expiries
 * never leave two owners (or two live offers).
 */
export function createAssignmentService({
  em,
  outbox,
  presence,
  mode,
  capacity,
  offerMs,
}: {
  em: EntityManager;
  outbox: Outbox;
  presence: PresenceService;
  mode: AssignmentMode;
  /** Open tickets an agent may hold before no more are offered to them. */
  capacity: number;
  offerMs: number;
}) {
  const lockTicket = (tx: EntityManager, ticketId: number) =>
    tx.findOne(Ticket, ticketId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });

  /** Ends a live offer (`outcome`) and tells its agent; then the ticket goes to the next agent. */
  const endOffer = async (
    tx: EntityManager,
    offer: { id: number; agentId: number; ticketId: number },
    outcome: OfferOutcome,
  ) => {
    const ended = await tx.nativeUpdate(
      TicketOffer,
      { id: offer.id, outcome: null },
      { outcome, endedAt: new Date() },
    );
    if (!ended) return false;
    await outbox.enqueue(tx, { type: 'agent.offer-ended', agentId: offer.agentId, offerId: offer.id });
    await outbox.enqueue(tx, { type: 'ticket.assign', ticketId: offer.ticketId });
    return true;
  };

  /**
   * Offers the ticket to the best available agent, if it waits, has no live offer and someone is left
   * who was not offered it yet (and did not pass on it). Answers the agent offered, or null.
   */
  const offerNext = async (
    ticketId: number,
    /** Who is online (availableAgents() without a skill), when the caller read it already. */
    online?: TeamMember[],
  ): Promise<{ agentId: number } | null> => {
    if (mode !== 'auto') return null;
    const ticket = await em.findOne(Ticket, ticketId, { fields: ['id', 'category', 'status'] });
    if (ticket?.status !== 'open') return null;
    // Read before the transaction: on PGlite nothing else may query while one is open.
    const needed = presence.skillsOfCategory(ticket.category);
    const available = online
      ? online.filter((agent) => hasSkill(agent.skills, needed))
      : await presence.availableAgents({ category: ticket.category });
    return em.transactional(async (tx) => {
      const locked = await lockTicket(tx, ticketId);
      if (locked?.status !== 'open' || locked.assignedAgent) return null;
      if (await tx.count(TicketOffer, { ticket: ticketId, outcome: null })) return null;
      const [offered, passed, pending] = await Promise.all([
        tx.find(TicketOffer, { ticket: ticketId }, { fields: ['agent'] }),
        tx.find(Pass, { ticket: ticketId }, { fields: ['agent'] }),
        tx.find(TicketOffer, { outcome: null }, { fields: ['agent'] }),
      ]);
      const excluded = new Set([...offered, ...passed].map((row) => row.agent.id));
      // An agent's load: the tickets they hold and those offered to them right now.
      const load = (agentId: number, openTickets: number) =>
        openTickets + pending.filter((offer) => offer.agent.id === agentId).length;
      const next = available
        .filter((agent) => !excluded.has(agent.id) && load(agent.id, agent.openTickets) < capacity)
        // Stable: among equal loads, the order availableAgents gave (longest idle first).
        .sort((a, b) => load(a.id, a.openTickets) - load(b.id, b.openTickets))[0];
      if (!next) return null;
      const offer = tx.create(TicketOffer, {
        ticket: ticketId,
        agent: next.id,
        expiresAt: new Date(Date.now() + offerMs),
      });
      await tx.flush();
      await outbox.enqueue(tx, { type: 'agent.offer', agentId: next.id, offerId: offer.id });
      await outbox.enqueue(tx, { type: 'ticket.offer-expired', offerId: offer.id });
      return { agentId: next.id };
    });
  };

  return {
    mode,

    offerNext,

    /** The agent passes on their offer: recorded as a pass (shown on the card); the next agent is offered it. */
    async pass(offerId: number, agentId: number): Promise<void> {
      await em.transactional(async (tx) => {
        const offer = await tx.findOne(TicketOffer, offerId, {
          fields: ['id', 'ticket', 'agent', 'outcome'],
        });
        if (!offer || offer.agent.id !== agentId) throw new NotFound('Offer');
        await lockTicket(tx, offer.ticket.id);
        const ended = await endOffer(tx, { id: offer.id, agentId, ticketId: offer.ticket.id }, 'passed');
        if (!ended) throw new OfferEnded('This offer has ended already.');
        await tx
          .createQueryBuilder(Pass)
          .insert({ ticket: offer.ticket.id, agent: agentId, createdAt: new Date() })
          .onConflict(['ticket', 'agent'])
          .ignore()
          .execute('run');
        await outbox.enqueue(tx, { type: 'ticket.card', ticketId: offer.ticket.id });
      });
    },

    /** The offer's time is up: if it is still live it expires and the next agent is offered the ticket. */
    async expire(offerId: number): Promise<boolean> {
      return em.transactional(async (tx) => {
        const offer = await tx.findOne(TicketOffer, offerId, {
          fields: ['id', 'ticket', 'agent', 'outcome'],
        });
        if (!offer || offer.outcome) return false;
        await lockTicket(tx, offer.ticket.id);
        return endOffer(tx, { id: offer.id, agentId: offer.agent.id, ticketId: offer.ticket.id }, 'expired');
      });
    },

    /**
     * Who is available changed (someone came online or went away, a ticket closed and freed room): live
     * offers to agents no longer online go to the next agents, then waiting tickets with no live offer are
     * offered, most urgent first (priority, then age). Answers how many offers were made or moved.
     */
    async rebalance(): Promise<number> {
      if (mode !== 'auto') return 0;
      const online = new Set((await presence.team()).filter((m) => m.state === 'online').map((m) => m.id));
      const live = await em.find(TicketOffer, { outcome: null }, { fields: ['id', 'ticket', 'agent'] });
      let changed = 0;
      for (const offer of live.filter((candidate) => !online.has(candidate.agent.id))) {
        const ended = await em.transactional(async (tx) => {
          await lockTicket(tx, offer.ticket.id);
          return endOffer(
            tx,
            { id: offer.id, agentId: offer.agent.id, ticketId: offer.ticket.id },
            'withdrawn',
          );
        });
        if (ended) changed += 1;
      }
      // Every waiting ticket is considered (one that everybody passed on must not hold back newer ones);
      // who is online is read once, each offer then counts the load as it is.
      const available = await presence.availableAgents();
      if (!available.length) return changed;
      const waiting = await em.getConnection().execute<{ id: number }[]>(
        `select t.id from tickets t
          where t.status = 'open'
            and not exists (select 1 from ticket_offers o where o.ticket_id = t.id and o.outcome is null)
          order by case t.priority when 'high' then 0 when 'normal' then 1 else 2 end, t.id`,
        [],
      );
      for (const { id } of waiting) if (await offerNext(id, available)) changed += 1;
      return changed;
    },

    /** An offer as the bot shows it. */
    async offer(offerId: number): Promise<OfferView> {
      const offer = await em.findOne(TicketOffer, offerId, {
        populate: ['ticket.assignedAgent'],
        refresh: true,
      });
      if (!offer) throw new NotFound('Offer');
      return {
        id: offer.id,
        ticketId: offer.ticket.id,
        agentId: offer.agent.id,
        outcome: offer.outcome ?? null,
        expiresAt: offer.expiresAt,
        tgMessageId: offer.tgMessageId ?? null,
        claimedBy: offer.ticket.assignedAgent?.name ?? null,
      };
    },

    /** Records the offer's message in the agent's chat (to edit it when the offer ends). */
    async setOfferMessage(offerId: number, tgMessageId: number): Promise<void> {
      await em.nativeUpdate(TicketOffer, { id: offerId }, { tgMessageId });
    },
  };
}
