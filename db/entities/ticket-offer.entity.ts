import { defineEntity, p } from '@mikro-orm/core';
import { Agent } from './agent.entity.ts';
import { Ticket } from './ticket.entity.ts';

/** How an offer ended: taken, declined, not answered in time, or taken back (claimed elsewhere, agent left). */
export const OFFER_OUTCOMES = ['accepted', 'passed', 'expired', 'withdrawn'] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];

/**
 * `ASSIGNMENT=auto`: a waiting ticket offered to one agent, who may accept or pass until `expiresAt`. At
 * most one live offer (no outcome yet) per ticket; an agent is offered a ticket once.
 */
export const TicketOfferSchema = defineEntity({
  name: 'TicketOffer',
  tableName: 'ticket_offers',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    agent: () => p.manyToOne(Agent).index().deleteRule('cascade'),
    offeredAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    expiresAt: p.datetime(),
    outcome: p.enum(OFFER_OUTCOMES).nullable(),
    endedAt: p.datetime().nullable(),
    /** The offer's message in the agent's chat with the bot (its buttons), once sent. */
    tgMessageId: p.bigint('number').nullable(),
  },
  uniques: [
    { name: 'ticket_offers_ticket_id_agent_id_unique', properties: ['ticket', 'agent'] },
    { name: 'ticket_offers_one_live_per_ticket', properties: ['ticket'], where: 'outcome is null' },
  ],
});

export class TicketOffer extends TicketOfferSchema.class {}
TicketOfferSchema.setClass(TicketOffer);
