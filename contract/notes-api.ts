import { z } from 'zod';
import { NOTE_MAX_LENGTH } from './canned-notes-limits.ts';
import { text } from './text.ts';

/**
 * Internal notes (issue 13 §5) in the agents' API: `GET|POST /api/agent/tickets/:id/notes`. Agents only;
 * nothing here is ever part of the visitor's API.
 */

export { NOTE_MAX_LENGTH };

export const ticketNoteSchema = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  author_name: z.string(),
  /** Written by the agent asking. */
  mine: z.boolean(),
  body: z.string(),
  created_at: z.string(),
});
export type TicketNoteView = z.infer<typeof ticketNoteSchema>;

export const addNoteRequestSchema = z
  .object({ body: text({ max: NOTE_MAX_LENGTH, nonBlank: true }) })
  .strict();
export type AddNoteRequest = z.infer<typeof addNoteRequestSchema>;

/** GET: the ticket's notes, oldest first. */
export const ticketNotesResponseSchema = z.object({ notes: z.array(ticketNoteSchema) });
export type TicketNotesResponse = z.infer<typeof ticketNotesResponseSchema>;

/** POST: 201 with the note. */
export const addNoteResponseSchema = z.object({ note: ticketNoteSchema });
export type AddNoteResponse = z.infer<typeof addNoteResponseSchema>;
