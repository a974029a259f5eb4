import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { NOTE_MAX_LENGTH, type TicketNoteView } from '../contract/notes-api.ts';
import { Agent, Ticket, TicketNote } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { DomainError, NotFound } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import type { TelegramOrigin } from './message.service.ts';
import { assertValidText, visibleTextOrUndefined } from './text-input.ts';
import { toTicketView } from './views.ts';

/** A note without text (`/note` alone): 400 over HTTP, an answer in the bot. */
export class EmptyNote extends DomainError {
  constructor() {
    super('validation_failed', 'body: a note needs some text, e.g. /note Promised a refund by Friday');
  }
}

export type NoteService = ReturnType<typeof createNoteService>;

/** A Telegram message's length: every `/note` and 🙈 message fits. */
export const NOTE_TEXT_MAX_LENGTH = NOTE_MAX_LENGTH;

const toView = (note: TicketNote, agentId?: number): TicketNoteView => ({
  id: note.id,
  ticket_id: note.ticket.id,
  author_name: note.authorName,
  mine: agentId !== undefined && note.agent?.id === agentId,
  body: note.body,
  created_at: note.createdAt.toISOString(),
});

/**
 * Internal notes on tickets (issue 13 §5): agents only. Stored in `ticket_notes`, which no visitor-facing
 * query reads; they appear in the Mini App's conversation, in the ticket's thread and in the history a new
 * owner gets.
 */
/**
 * `bus`: a new note tells the agents' live views that its ticket changed (they refetch its notes; the event
 * itself carries only the ticket's public state, never a note).
 */
export function createNoteService({ em, bus }: { em: EntityManager; bus?: EventBus }) {
  const stored = async (telegram: TelegramOrigin) =>
    em.fork().findOne(TicketNote, { chatId: telegram.chatId, tgMessageId: telegram.messageId });

  return {
    /**
     * Adds a note. With `telegram` (the `/note` message, a 🙈 team message) it is stored once: the same
     * Telegram message again (a redelivered update) returns the stored note with `duplicate: true`.
     */
    async add(input: {
      ticketId: number;
      agentId: number;
      body: string;
      telegram?: TelegramOrigin;
    }): Promise<{ note: TicketNoteView; duplicate: boolean }> {
      const body = visibleTextOrUndefined(input.body);
      if (!body) throw new EmptyNote();
      assertValidText(body, 'body');
      if (body.length > NOTE_TEXT_MAX_LENGTH) {
        throw new DomainError(
          'validation_failed',
          `body: must be at most ${NOTE_TEXT_MAX_LENGTH} characters`,
        );
      }
      if (input.telegram) {
        const before = await stored(input.telegram);
        if (before) return { note: toView(before, input.agentId), duplicate: true };
      }
      const ticket = await em.findOne(Ticket, input.ticketId, { populate: ['session', 'assignedAgent'] });
      if (!ticket) throw new NotFound('Ticket');
      const agent = await em.findOne(Agent, input.agentId);
      if (!agent) throw new NotFound('Agent');
      const note = em.create(TicketNote, {
        ticket,
        agent,
        authorName: agent.name.slice(0, 200),
        body,
        chatId: input.telegram?.chatId ?? null,
        tgMessageId: input.telegram?.messageId ?? null,
      });
      try {
        await em.flush();
      } catch (error) {
        const raced =
          error instanceof UniqueConstraintViolationException && input.telegram
            ? await stored(input.telegram)
            : null;
        if (!raced) throw error;
        em.clear();
        return { note: toView(raced, input.agentId), duplicate: true };
      }
      bus?.publish({ type: 'ticket.updated', sessionId: ticket.session.id, ticket: toTicketView(ticket) });
      return { note: toView(note, input.agentId), duplicate: false };
    },

    /** The ticket's notes, oldest first, as the agent asking sees them. */
    async list(ticketId: number, agentId: number): Promise<TicketNoteView[]> {
      if (!(await em.count(Ticket, { id: ticketId }))) throw new NotFound('Ticket');
      const notes = await em.find(
        TicketNote,
        { ticket: ticketId },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      );
      return notes.map((note) => toView(note, agentId));
    },

    /** One note's text, if it still exists (erased with its ticket otherwise). */
    async body(noteId: number): Promise<string | null> {
      return (await em.findOne(TicketNote, noteId, { fields: ['body'] }))?.body ?? null;
    },

    /** The ticket's notes for the "connected" history: author, text and time, oldest first. */
    async forHistory(ticketId: number): Promise<{ authorName: string; body: string; createdAt: Date }[]> {
      const notes = await em.find(
        TicketNote,
        { ticket: ticketId },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      );
      return notes.map((note) => ({
        authorName: note.authorName,
        body: note.body,
        createdAt: note.createdAt,
      }));
    },
  };
}
