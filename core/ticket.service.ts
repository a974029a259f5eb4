import { LockMode } from '@mikro-orm/core';
import { HANDOVER_NOTE_MAX_LENGTH } from '../contract/agent-limits.ts';
import type { SystemEvent, TicketView } from '../contract/api.ts';
import { Agent, Message, Pass, Ticket, TicketNote, TicketOffer } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import {
  Forbidden,
  InvalidText,
  NotFound,
  OfferEnded,
  TicketAlreadyClaimed,
  TicketAlreadyTaken,
  TicketClosed,
  TicketNotClosed,
} from './errors.ts';
import { linkTelegramOrigin, type TelegramOrigin } from './message.service.ts';
import type { ServiceDeps } from './service-deps.ts';
import { systemEventText } from './system-events.ts';
import { assertValidText, visibleTextOrUndefined } from './text-input.ts';
import { toMessageView, toTicketView } from './views.ts';

export type TicketService = ReturnType<typeof createTicketService>;

/**
 * Who closes a ticket: the visitor who owns it, or an agent (optionally with a last note to the visitor).
 * `noteTelegram`: the agent's Telegram message that is the note. It is linked to the note, so that the
 * same Telegram message delivered again is recognised as stored (see sendAgentMessage), never sent on as
 * a new reply.
 */
export type CloseActor =
  | { kind: 'visitor'; sessionId: string }
  | { kind: 'agent'; agentId: number; note?: string; noteTelegram?: TelegramOrigin };

/** Where an agent hands their ticket: to another agent of the team, or back to the queue. */
export type HandOverTarget = { to: 'agent'; agentId: number } | { to: 'queue' };

export function createTicketService({ em, bus, outbox, autoAssign = false }: ServiceDeps) {
  /**
   * The ticket, fresh from the database (a conditional UPDATE may just have changed the row), with its row
   * locked until the transaction ends: what the caller checks (status, who holds it) stays true while it
   * changes the ticket, and a concurrent claim, pass or close waits and then sees the result.
   */
  const loadTicket = async (tx: EntityManager, ticketId: number) => {
    const ticket = await tx.findOne(Ticket, ticketId, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    if (!ticket) throw new NotFound('Ticket');
    // Apart from the locking query: PostgreSQL cannot lock the nullable side of a populate's outer join.
    await tx.populate(ticket, ['assignedAgent', 'session']);
    return ticket;
  };

  const addMessage = (
    tx: EntityManager,
    ticket: Ticket,
    sender: 'system' | 'agent',
    body: string,
    agent?: Agent,
    telegram?: TelegramOrigin,
  ) => {
    const message = tx.create(Message, {
      ticket,
      session: ticket.session,
      sender,
      body,
      agent: agent ?? null,
      tgMessageId: telegram?.messageId ?? null,
    });
    if (telegram) linkTelegramOrigin(tx, message, telegram);
    return message;
  };

  /**
   * Takes back the ticket's live offer (ASSIGNMENT=auto), if any: claimed elsewhere, closed, or its topic
   * changed. Call with the ticket row locked; its agent's offer message is rewritten.
   */
  const withdrawLiveOffers = async (tx: EntityManager, ticketId: number) => {
    const live = await tx.find(TicketOffer, { ticket: ticketId, outcome: null }, { fields: ['id', 'agent'] });
    for (const offer of live) {
      await tx.nativeUpdate(
        TicketOffer,
        { id: offer.id, outcome: null },
        { outcome: 'withdrawn', endedAt: new Date() },
      );
      await outbox.enqueue(tx, { type: 'agent.offer-ended', agentId: offer.agent.id, offerId: offer.id });
    }
    return live.length;
  };

  /** A system message: its event (for clients to word) and its English text (the body). */
  const addSystemMessage = (tx: EntityManager, ticket: Ticket, event: SystemEvent) => {
    const message = addMessage(tx, ticket, 'system', systemEventText(event));
    message.systemEvent = event;
    return message;
  };

  /** After commit: the visitor's widget learns of the new state and messages. */
  const publishChange = (ticket: Ticket, messages: Message[]) => {
    const sessionId = ticket.session.id;
    bus.publish({ type: 'ticket.updated', sessionId, ticket: toTicketView(ticket) });
    for (const message of messages) {
      bus.publish({
        type: 'message.created',
        sessionId,
        ticketId: ticket.id,
        message: toMessageView(message),
      });
    }
  };

  return {
    /**
     * Claims an open ticket for an agent. Atomic: the conditional UPDATE lets exactly one of any number of
     * concurrent claims win; the others get TicketAlreadyClaimed naming the winner. Claiming one's own
     * ticket again is a no-op. The winner's active ticket becomes this one.
     */
    async claim(
      ticketId: number,
      agentId: number,
      { offerId }: { offerId?: number } = {},
    ): Promise<TicketView> {
      const outcome = await em.transactional(async (tx) => {
        const won = await tx.nativeUpdate(
          Ticket,
          { id: ticketId, status: 'open', assignedAgent: null },
          { status: 'claimed', assignedAgent: agentId, claimedAt: new Date() },
        );
        const ticket = await loadTicket(tx, ticketId);
        if (!won) {
          if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
          if (ticket.assignedAgent?.id === agentId) return { ticket, messages: [] };
          throw new TicketAlreadyClaimed(ticket.id, ticket.assignedAgent?.name ?? 'another agent');
        }
        // With the ticket row locked (the UPDATE above): accepting an offer wins only while it is live; a
        // claim from the card or the app takes back any live offer.
        if (offerId !== undefined) {
          const accepted = await tx.nativeUpdate(
            TicketOffer,
            { id: offerId, ticket: ticketId, agent: agentId, outcome: null, expiresAt: { $gt: new Date() } },
            { outcome: 'accepted', endedAt: new Date() },
          );
          if (!accepted) throw new OfferEnded('This offer has ended: the ticket went to the next agent.');
          await outbox.enqueue(tx, { type: 'agent.offer-ended', agentId, offerId });
        }
        await withdrawLiveOffers(tx, ticketId);
        const agent = ticket.assignedAgent as Agent;
        agent.activeTicket = ticket;
        const joined = addSystemMessage(tx, ticket, {
          code: 'agent_joined',
          params: { agent_name: agent.name },
        });
        await tx.flush();
        await outbox.enqueue(tx, { type: 'ticket.card', ticketId });
        // What was said so far reaches the agent with the "connected" notice (which marks it relayed).
        await outbox.enqueue(tx, { type: 'agent.connected', agentId, ticketId });
        return { ticket, messages: [joined] };
      });
      if (outcome.messages.length) publishChange(outcome.ticket, outcome.messages);
      return toTicketView(outcome.ticket);
    },

    /**
     * The agent who holds a ticket hands it to another agent (who gets the history and the note, and whose
     * active ticket it becomes if they have none) or back to the queue (its card offers it again). The
     * visitor sees who joined; the old owner's place for it is closed. Only the holder may hand it over: the
     * conditional UPDATE on the locked row keeps exactly one owner under concurrent claims and hand-overs.
     */
    async handOver(
      ticketId: number,
      fromAgentId: number,
      target: HandOverTarget,
      note?: string,
    ): Promise<TicketView> {
      assertValidText(note, 'note');
      const visibleNote = visibleTextOrUndefined(note);
      if (visibleNote && visibleNote.length > HANDOVER_NOTE_MAX_LENGTH) {
        throw new InvalidText('note', `at most ${HANDOVER_NOTE_MAX_LENGTH} characters`);
      }
      const outcome = await em.transactional(async (tx) => {
        const ticket = await loadTicket(tx, ticketId);
        if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
        const from = ticket.assignedAgent;
        if (!from || from.id !== fromAgentId)
          throw new Forbidden(`Ticket #${ticket.id} is not assigned to you`);
        let next: Agent | null = null;
        if (target.to === 'agent') {
          if (target.agentId === fromAgentId) throw new InvalidText('to', 'the ticket is yours already');
          next = await tx.findOne(Agent, target.agentId);
          if (!next) throw new NotFound('Agent');
        }
        await tx.nativeUpdate(
          Ticket,
          { id: ticketId, assignedAgent: fromAgentId },
          next
            ? { assignedAgent: next.id, claimedAt: new Date() }
            : { status: 'open', assignedAgent: null, claimedAt: null },
        );
        await tx.nativeUpdate(Agent, { id: fromAgentId, activeTicket: ticketId }, { activeTicket: null });
        if (next)
          await tx.nativeUpdate(Agent, { id: next.id, activeTicket: null }, { activeTicket: ticketId });
        await tx.refresh(ticket);
        await tx.populate(ticket, ['assignedAgent']);
        const event: SystemEvent = next
          ? { code: 'agent_joined', params: { agent_name: next.name } }
          : { code: 'returned_to_queue', params: {} };
        const message = addSystemMessage(tx, ticket, event);
        // The note stays with the ticket for the team (the Mini App, the next owner's history), never the
        // visitor's.
        const note = visibleNote
          ? tx.create(TicketNote, { ticket, agent: from, authorName: from.name, body: visibleNote })
          : null;
        // Back in the queue: recorded as the holder's pass, so that it is not offered straight back to them.
        if (!next) {
          await tx
            .createQueryBuilder(Pass)
            .insert({ ticket: ticketId, agent: fromAgentId, createdAt: new Date() })
            .onConflict(['ticket', 'agent'])
            .ignore()
            .execute('run');
        }
        await tx.flush();
        await outbox.enqueue(tx, { type: 'ticket.card', ticketId });
        // Back in the queue: offered to the next agent (the one handing it over has room for another).
        if (autoAssign)
          await outbox.enqueue(
            tx,
            next ? { type: 'tickets.assign-waiting' } : { type: 'ticket.assign', ticketId },
          );
        await outbox.enqueue(tx, {
          type: 'agent.handed-over',
          agentId: fromAgentId,
          ticketId,
          toAgentName: next?.name ?? null,
        });
        if (next) {
          await outbox.enqueue(tx, {
            type: 'agent.connected',
            agentId: next.id,
            ticketId,
            // The note's id, not its text: a job outlives an erasure of the visitor's data.
            handedOverBy: { agentName: from.name, noteId: note?.id ?? null },
          });
        }
        return { ticket, messages: [message] };
      });
      publishChange(outcome.ticket, outcome.messages);
      return toTicketView(outcome.ticket);
    },

    /** An agent declines an open ticket: recorded once per agent and shown on the card; the ticket stays queued. */
    async pass(ticketId: number, agentId: number): Promise<{ ticket: TicketView; passedBy: string[] }> {
      const outcome = await em.transactional(async (tx) => {
        const ticket = await loadTicket(tx, ticketId);
        if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
        if (ticket.assignedAgent) throw new TicketAlreadyClaimed(ticket.id, ticket.assignedAgent.name);
        const inserted = await tx
          .createQueryBuilder(Pass)
          .insert({ ticket: ticketId, agent: agentId, createdAt: new Date() })
          .onConflict(['ticket', 'agent'])
          .ignore()
          .execute('run');
        if (inserted.affectedRows) await outbox.enqueue(tx, { type: 'ticket.card', ticketId });
        const passes = await tx.find(
          Pass,
          { ticket: ticketId },
          { populate: ['agent'], orderBy: { id: 'asc' } },
        );
        return {
          ticket: toTicketView(ticket),
          sessionId: ticket.session.id,
          passedBy: passes.map((pass) => pass.agent.name),
          changed: inserted.affectedRows > 0,
        };
      });
      // The ticket itself is unchanged, but agents' live queues show pass counts.
      if (outcome.changed) {
        bus.publish({ type: 'ticket.updated', sessionId: outcome.sessionId, ticket: outcome.ticket });
      }
      return { ticket: outcome.ticket, passedBy: outcome.passedBy };
    },

    /**
     * Closes a ticket. A visitor may close only their own (any other answers NotFound); an agent, an
     * unclaimed ticket or one assigned to them, with an optional last note to the visitor. Closing a closed
     * ticket changes nothing.
     */
    async close(ticketId: number, actor: CloseActor): Promise<TicketView> {
      // The note may come straight from Telegram, past the HTTP contract's checks.
      const note = actor.kind === 'agent' ? actor.note : undefined;
      const noteTelegram = actor.kind === 'agent' ? actor.noteTelegram : undefined;
      assertValidText(note, 'note');
      const visibleNote = visibleTextOrUndefined(note);
      const outcome = await em.transactional(async (tx) => {
        const ticket = await loadTicket(tx, ticketId);
        let agent: Agent | null = null;
        if (actor.kind === 'visitor') {
          if (ticket.session.id !== actor.sessionId) throw new NotFound('Ticket');
        } else {
          agent = await tx.findOne(Agent, actor.agentId);
          if (!agent) throw new NotFound('Agent');
          if (ticket.assignedAgent && ticket.assignedAgent.id !== agent.id) {
            throw new Forbidden(`Ticket #${ticket.id} is assigned to ${ticket.assignedAgent.name}`);
          }
        }
        const changed = await tx.nativeUpdate(
          Ticket,
          { id: ticketId, status: { $ne: 'closed' } },
          { status: 'closed', closedAt: new Date() },
        );
        if (!changed) return { ticket, messages: [] };
        await withdrawLiveOffers(tx, ticketId);
        await tx.nativeUpdate(Agent, { activeTicket: ticketId }, { activeTicket: null });
        await tx.refresh(ticket);
        const messages: Message[] = [];
        if (visibleNote && agent) {
          messages.push(addMessage(tx, ticket, 'agent', visibleNote, agent, noteTelegram));
        }
        messages.push(
          addSystemMessage(
            tx,
            ticket,
            agent
              ? { code: 'closed_by_agent', params: { agent_name: agent.name } }
              : { code: 'closed_by_visitor', params: {} },
          ),
        );
        await tx.flush();
        await outbox.enqueue(tx, { type: 'ticket.card', ticketId });
        // Its agent has room for one more: waiting tickets may be offered now.
        if (ticket.assignedAgent && autoAssign) await outbox.enqueue(tx, { type: 'tickets.assign-waiting' });
        if (ticket.assignedAgent) {
          await outbox.enqueue(tx, {
            type: 'agent.ticket-closed',
            agentId: ticket.assignedAgent.id,
            ticketId,
            by: actor.kind,
          });
        }
        return { ticket, messages };
      });
      if (outcome.messages.length) publishChange(outcome.ticket, outcome.messages);
      return toTicketView(outcome.ticket);
    },

    /**
     * The visitor changes their ticket's category while it waits for an agent (null: none); the card shows
     * it. Another session's ticket is not found; a ticket an agent has taken (or closed) keeps its category.
     */
    async setCategory(ticketId: number, sessionId: string, category: string | null): Promise<TicketView> {
      const outcome = await em.transactional(async (tx) => {
        const ticket = await loadTicket(tx, ticketId);
        if (ticket.session.id !== sessionId) throw new NotFound('Ticket');
        if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
        if (ticket.status !== 'open' || ticket.assignedAgent) throw new TicketAlreadyTaken(ticket.id);
        if ((ticket.category ?? null) === category) return { ticket, changed: false };
        ticket.category = category;
        await tx.flush();
        // The version the trigger gave the row, for the event.
        await tx.refresh(ticket);
        await outbox.enqueue(tx, { type: 'ticket.card', ticketId });
        // Another topic may need another skill: the offer goes to someone who has it.
        if (autoAssign && (await withdrawLiveOffers(tx, ticketId))) {
          await outbox.enqueue(tx, { type: 'ticket.assign', ticketId });
        }
        return { ticket, changed: true };
      });
      if (outcome.changed) publishChange(outcome.ticket, []);
      return toTicketView(outcome.ticket);
    },

    /** The visitor rates their closed ticket (1–5, optional comment); the card shows it. */
    async rate(ticketId: number, sessionId: string, rating: number, comment?: string): Promise<TicketView> {
      return em.transactional(async (tx) => {
        const ticket = await loadTicket(tx, ticketId);
        if (ticket.session.id !== sessionId) throw new NotFound('Ticket');
        if (ticket.status !== 'closed') throw new TicketNotClosed(ticket.id);
        ticket.rating = rating;
        ticket.ratingComment = comment || null;
        await tx.flush();
        await tx.refresh(ticket);
        await outbox.enqueue(tx, { type: 'ticket.card', ticketId });
        return toTicketView(ticket);
      });
    },

    /** Enqueues a card for every not-closed ticket that has none (after a support group is bound). */
    async requestMissingCards(): Promise<number> {
      return em.transactional(async (tx) => {
        const tickets = await tx.find(
          Ticket,
          { status: { $ne: 'closed' }, groupMessageId: null },
          { fields: ['id', 'priority'], orderBy: { id: 'asc' } },
        );
        // High priority first: the group sees the most urgent cards before the others.
        const rank = (priority: string) => (priority === 'high' ? 0 : priority === 'normal' ? 1 : 2);
        tickets.sort((a, b) => rank(a.priority) - rank(b.priority) || a.id - b.id);
        await outbox.enqueueMany(
          tx,
          tickets.map((ticket) => ({ type: 'ticket.card', ticketId: ticket.id })),
        );
        return tickets.length;
      });
    },

    /**
     * The after-hours timer fired. If the ticket is still waiting for an agent, the visitor is asked (once)
     * for contact details; returns whether the group should be reminded.
     */
    async afterHours(ticketId: number): Promise<{ stillWaiting: boolean }> {
      const outcome = await em.transactional(async (tx) => {
        const ticket = await tx.findOne(Ticket, ticketId, { populate: ['assignedAgent', 'session'] });
        if (ticket?.status !== 'open' || ticket.contactRequestedAt)
          return { ticket, messages: [] as Message[] };
        ticket.contactRequestedAt = new Date();
        const request = addSystemMessage(tx, ticket, { code: 'contact_requested', params: {} });
        await tx.flush();
        await tx.refresh(ticket);
        return { ticket, messages: [request] };
      });
      if (outcome.ticket && outcome.messages.length) publishChange(outcome.ticket, outcome.messages);
      return { stillWaiting: outcome.ticket?.status === 'open' };
    },
  };
}
