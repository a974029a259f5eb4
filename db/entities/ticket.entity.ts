import { defineEntity, p } from '@mikro-orm/core';
import { Agent } from './agent.entity.ts';
import { SupportSession } from './support-session.entity.ts';

export const TICKET_STATUSES = ['open', 'claimed', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high'] as const;

export const TicketSchema = defineEntity({
  name: 'Ticket',
  tableName: 'tickets',
  properties: {
    id: p.integer().primary().autoincrement(),
    session: () => p.manyToOne(SupportSession).index().deleteRule('cascade'),
    status: p.enum(TICKET_STATUSES).default('open'),
    category: p.string().length(64).nullable(),
    priority: p.enum(TICKET_PRIORITIES).default('normal'),
    assignedAgent: () => p.manyToOne(Agent).nullable().index().deleteRule('set null'),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    claimedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    /** The ticket's card in the support group. */
    groupMessageId: p.bigint('number').nullable(),
    rating: p.smallint().nullable().check('((rating >= 1) AND (rating <= 5))'),
    ratingComment: p.text().nullable(),
    /** When the after-hours timer asked the visitor for contact details. */
    contactRequestedAt: p.datetime().nullable(),
    /**
     * When an instance last showed the visitor typing in Telegram: instances take turns through this
     * column, so that one typing indicator goes out per interval however many instances run.
     */
    typingShownAt: p.datetime().nullable(),
    /**
     * Grows by one with every UPDATE of the row, set by the `version` trigger, never by the app: ticket
     * views and events carry it, so a stale one (another instance's, arriving late) never replaces a newer.
     */
    version: p.integer().default(1),
  },
  triggers: [
    {
      name: 'version',
      timing: 'before',
      events: ['update'],
      forEach: 'row',
      body: 'new.version := old.version + 1; return new',
    },
  ],
  uniques: [
    // The invariant of DESIGN.md §3: at most one not-closed ticket per session.
    { name: 'tickets_one_open_per_session', properties: ['session'], where: "status <> 'closed'" },
  ],
  indexes: [
    { name: 'tickets_status_created_at_index', properties: ['status', 'createdAt'] },
    // Reports read a period (core/reports.service.ts).
    { name: 'tickets_created_at_index', properties: ['createdAt'] },
    { name: 'tickets_closed_at_index', properties: ['closedAt'] },
  ],
});

export class Ticket extends TicketSchema.class {}
TicketSchema.setClass(Ticket);
