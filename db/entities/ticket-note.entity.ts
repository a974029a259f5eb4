import { defineEntity, p } from '@mikro-orm/core';
import { Agent } from './agent.entity.ts';
import { Ticket } from './ticket.entity.ts';

/**
 * An internal note on a ticket (issue 13 §5): for agents only. A table of its own, apart from `messages`,
 * so that no visitor-facing query (conversation, events, transcript, export) can ever read one.
 * `chatId` / `tgMessageId`: the Telegram message it came from (`/note …`, a 🙈 team message), so that a
 * redelivered update stores it once.
 */
export const TicketNoteSchema = defineEntity({
  name: 'TicketNote',
  tableName: 'ticket_notes',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    agent: () => p.manyToOne(Agent).nullable().deleteRule('set null'),
    /** The author's name when it was written (kept if the agent row goes). */
    authorName: p.string().length(200),
    body: p.text(),
    chatId: p.bigint('number').nullable(),
    tgMessageId: p.bigint('number').nullable(),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  indexes: [{ name: 'ticket_notes_ticket_id_created_at_index', properties: ['ticket', 'createdAt'] }],
  uniques: [{ name: 'ticket_notes_chat_message_unique', properties: ['chatId', 'tgMessageId'] }],
});

export class TicketNote extends TicketNoteSchema.class {}
TicketNoteSchema.setClass(TicketNote);
