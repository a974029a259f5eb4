import { defineEntity, p } from '@mikro-orm/core';
import { Agent } from './agent.entity.ts';
import { Ticket } from './ticket.entity.ts';

/**
 * A forum topic that holds a ticket's conversation: in the agent's private chat with the bot
 * (`TICKET_THREADS=private-topics`). Whatever is written in it belongs to its ticket. A closed ticket's
 * topic is renamed with ✅ and kept; writing in it answers that the ticket is closed.
 */
export const TicketThreadSchema = defineEntity({
  name: 'TicketThread',
  tableName: 'ticket_threads',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    /** The agent whose chat it is in. */
    agent: () => p.manyToOne(Agent).nullable().index().deleteRule('set null'),
    chatId: p.bigint('number'),
    threadId: p.bigint('number'),
    /** The topic's name as created (renamed with ✅ when the ticket closes). */
    name: p.string().length(128),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    closedAt: p.datetime().nullable(),
  },
  uniques: [
    { name: 'ticket_threads_chat_thread_unique', properties: ['chatId', 'threadId'] },
    // One topic per ticket in a chat: a retried "connected" job finds it rather than create another.
    { name: 'ticket_threads_ticket_chat_unique', properties: ['ticket', 'chatId'] },
  ],
});

export class TicketThread extends TicketThreadSchema.class {}
TicketThreadSchema.setClass(TicketThread);
