import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.entity.ts';

/** A message the bot sent to an agent's DM about a ticket: an agent's reply to it goes to that ticket. */
export const AgentDmMessageSchema = defineEntity({
  name: 'AgentDmMessage',
  tableName: 'agent_dm_messages',
  properties: {
    chatId: p.bigint('number').primary().autoincrement(false),
    messageId: p.bigint('number').primary().autoincrement(false),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  primaryKeys: ['chatId', 'messageId'],
});

export class AgentDmMessage extends AgentDmMessageSchema.class {}
AgentDmMessageSchema.setClass(AgentDmMessage);
