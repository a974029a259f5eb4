import { z } from 'zod';
import {
  CANNED_BODY_MAX_LENGTH,
  CANNED_PLACEHOLDERS,
  CANNED_TITLE_MAX_LENGTH,
} from './canned-notes-limits.ts';
import { text } from './text.ts';

/**
 * Canned replies (issue 13 §4): team-shared snippets in the agents' API (`/api/agent/canned-replies`).
 * Same auth (`Authorization: tma <initData>`) and error shape as `agent-api.ts`.
 */

export { CANNED_BODY_MAX_LENGTH, CANNED_PLACEHOLDERS, CANNED_TITLE_MAX_LENGTH };

export const cannedReplySchema = z.object({
  id: z.number().int(),
  title: z.string(),
  /** As stored, with its placeholders. */
  body: z.string(),
  category: z.string().nullable(),
  updated_at: z.string(),
  /** Who last saved it (null once that agent is gone). */
  updated_by: z.string().nullable(),
});
export type CannedReplyView = z.infer<typeof cannedReplySchema>;

/** POST /api/agent/canned-replies and PUT /api/agent/canned-replies/:id. */
export const cannedReplyInputSchema = z
  .object({
    title: text({ max: CANNED_TITLE_MAX_LENGTH, nonBlank: true }),
    body: text({ max: CANNED_BODY_MAX_LENGTH, nonBlank: true }),
    /** One of the categories (GET /api/config), or null / absent for every ticket. */
    category: z.string().max(100).nullable().optional(),
  })
  .strict();
export type CannedReplyInput = z.infer<typeof cannedReplyInputSchema>;

/** GET /api/agent/canned-replies — every snippet, by category then title. */
export const cannedRepliesResponseSchema = z.object({ replies: z.array(cannedReplySchema) });
export type CannedRepliesResponse = z.infer<typeof cannedRepliesResponseSchema>;

/** POST / PUT answer with the snippet saved. */
export const cannedReplyResponseSchema = z.object({ reply: cannedReplySchema });
export type CannedReplyResponse = z.infer<typeof cannedReplyResponseSchema>;

/**
 * GET /api/agent/tickets/:id/canned-replies — the snippets for the reply box of that ticket: its category's
 * first (`matches_category`), each with `text`, its placeholders filled for this ticket and agent.
 */
export const ticketCannedReplySchema = cannedReplySchema.extend({
  text: z.string(),
  matches_category: z.boolean(),
});
export type TicketCannedReply = z.infer<typeof ticketCannedReplySchema>;
export const ticketCannedRepliesResponseSchema = z.object({ replies: z.array(ticketCannedReplySchema) });
export type TicketCannedRepliesResponse = z.infer<typeof ticketCannedRepliesResponseSchema>;
