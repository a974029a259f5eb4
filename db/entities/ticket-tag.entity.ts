import { defineEntity, p } from '@mikro-orm/core';
import { Agent } from './agent.entity.ts';
import { Ticket } from './ticket.entity.ts';

/**
 * A tag on a ticket (issue 13 §5): normalised by core/tags.service.ts (lower case, letters, digits, `-`
 * and `_`, at most 32 characters), once per ticket. `tag` is indexed for the queue filter and search.
 */
export const TicketTagSchema = defineEntity({
  name: 'TicketTag',
  tableName: 'ticket_tags',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    tag: p.string().length(32).index('ticket_tags_tag_index'),
    /** Who added it (kept null if that agent row goes). */
    agent: () => p.manyToOne(Agent).nullable().deleteRule('set null'),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  uniques: [{ name: 'ticket_tags_ticket_id_tag_unique', properties: ['ticket', 'tag'] }],
});

export class TicketTag extends TicketTagSchema.class {}
TicketTagSchema.setClass(TicketTag);
