import { defineEntity, p } from '@mikro-orm/core';
import { Agent } from './agent.entity.ts';
import { Ticket } from './ticket.entity.ts';

/** An agent declined a ticket ("↩️ Pass"); the ticket stays in the queue. */
export const PassSchema = defineEntity({
  name: 'Pass',
  tableName: 'passes',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    agent: () => p.manyToOne(Agent).deleteRule('cascade'),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  uniques: [{ name: 'passes_ticket_id_agent_id_unique', properties: ['ticket', 'agent'] }],
});

export class Pass extends PassSchema.class {}
PassSchema.setClass(Pass);
