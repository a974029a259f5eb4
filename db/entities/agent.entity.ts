import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.entity.ts';

export const AgentSchema = defineEntity({
  name: 'Agent',
  tableName: 'agents',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(200),
    tgChatId: p.bigint('number').unique(),
    tgUsername: p.string().length(64).nullable(),
    skills: p.array().default([]),
    isOnline: p.boolean().default(false),
    /** The ticket an agent's plain DM messages go to (DESIGN.md §4). */
    activeTicket: () => p.manyToOne(Ticket).nullable().deleteRule('set null'),
  },
});

export class Agent extends AgentSchema.class {}
AgentSchema.setClass(Agent);
