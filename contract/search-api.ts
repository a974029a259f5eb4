import { z } from 'zod';
import { normaliseTag, tagProblem } from './tag-rules.ts';
import { text } from './text.ts';

/**
 * Search across all conversations (issue 13 §6): `GET /api/agent/search`. Every criterion is optional, at
 * least one is needed; they combine with AND. Results are tickets, newest first, `limit` a page; the next
 * page is asked for with `before` = the answer's `next_before`.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * An optional criterion: valid text (contract/text.ts: no NUL or other control characters, which the
 * database would refuse), trimmed; empty counts as not given.
 */
const optionalText = (max: number) =>
  text({ max })
    .optional()
    .transform((value) => (value ? value : undefined));
/** A tag as the tag rules (contract/tag-rules.ts) allow it: `#VIP` and `vip` are the same tag. */
const optionalTag = optionalText(100).superRefine((value, ctx) => {
  const problem = value === undefined ? null : tagProblem(normaliseTag(value));
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const searchQuerySchema = z
  .object({
    /** Words in the messages (visitor's and agents'): every word must occur, as a whole word; `"a b"` a phrase, `-word` excludes. */
    q: optionalText(200),
    /** Part of the visitor's email (left in the after-hours form, or of an identified visitor). */
    email: optionalText(320),
    /** The visitor's phone number: its digits, in any format. */
    phone: optionalText(40),
    tag: optionalTag,
    /** An agent id: tickets assigned to them or answered by them. */
    agent: z.coerce.number().int().positive().max(2_147_483_647).optional(),
    /** Tickets opened on or after this day / on or before this day (YYYY-MM-DD), in `tz`. */
    from: z.string().regex(DATE, 'must be a date, YYYY-MM-DD').optional(),
    to: z.string().regex(DATE, 'must be a date, YYYY-MM-DD').optional(),
    /** The IANA time zone days are counted in (a name such as Europe/Berlin, never an offset); default UTC. */
    tz: text({ max: 64 }).optional(),
    before: z.coerce.number().int().positive().max(2_147_483_647).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .strict();
export type SearchQuery = z.infer<typeof searchQuerySchema>;

/** A piece of a snippet: `match` pieces are the words that were searched for. */
export const snippetPartSchema = z.object({ text: z.string(), match: z.boolean() });
export type SnippetPart = z.infer<typeof snippetPartSchema>;

export const searchResultSchema = z.object({
  ticket_id: z.number().int(),
  status: z.enum(['open', 'claimed', 'closed']),
  category: z.string().nullable(),
  created_at: z.string(),
  closed_at: z.string().nullable(),
  agent_name: z.string().nullable(),
  visitor: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
  }),
  tags: z.array(z.string()),
  /** The newest matching message (with `q`), else the visitor's first message; matches marked. */
  snippet: z.array(snippetPartSchema),
  /** The message the snippet comes from, or null. */
  message_id: z.number().int().nullable(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const searchResponseSchema = z.object({
  results: z.array(searchResultSchema),
  /** Pass as `before` for the next page; null on the last one. */
  next_before: z.number().int().nullable(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

/** `GET /api/agent/tickets/:id/earlier`: the visitor's other tickets, newest first. */
export const earlierTicketSchema = z.object({
  ticket_id: z.number().int(),
  status: z.enum(['open', 'claimed', 'closed']),
  category: z.string().nullable(),
  created_at: z.string(),
  preview: z.string(),
  /** `session`: this visitor's own session; `identity`: another session of the identified visitor. */
  via: z.enum(['session', 'identity']),
});
export type EarlierTicket = z.infer<typeof earlierTicketSchema>;
export const earlierTicketsResponseSchema = z.object({ tickets: z.array(earlierTicketSchema) });
export type EarlierTicketsResponse = z.infer<typeof earlierTicketsResponseSchema>;
