import { z } from 'zod';

/**
 * Tags on tickets (issue 13 §5) in the agents' API. A tag is normalised before it is checked: a leading `#`
 * dropped, lower case; then it must be 1–32 characters of letters, digits, `-` and `_`, starting with a
 * letter or digit. A ticket carries at most `MAX_TAGS_PER_TICKET`. Browser-safe: the Mini App checks with
 * the same rules before it sends.
 */

export {
  MAX_TAGS_PER_TICKET,
  normaliseTag,
  TAG_MAX_LENGTH,
  TAG_PATTERN,
  TAG_RULE,
  tagProblem,
} from './tag-rules.ts';

import { MAX_TAGS_PER_TICKET } from './tag-rules.ts';

/** `POST /api/agent/tickets/:id/tags`: adds tags (all or none). */
export const addTagsRequestSchema = z
  .object({ tags: z.array(z.string().max(200)).min(1).max(MAX_TAGS_PER_TICKET) })
  .strict();
export type AddTagsRequest = z.infer<typeof addTagsRequestSchema>;

/** The ticket's tags now, in the order they were added (GET, POST, DELETE …/tags/:tag). */
export const ticketTagsResponseSchema = z.object({ ticket_id: z.number().int(), tags: z.array(z.string()) });
export type TicketTagsResponse = z.infer<typeof ticketTagsResponseSchema>;

/** `GET /api/agent/tags`: the tags on not-closed tickets (the queue's filter), most used first. */
export const openTagsResponseSchema = z.object({
  tags: z.array(z.object({ tag: z.string(), count: z.number().int() })),
  /** Every not-closed ticket's tags, by ticket id. */
  tickets: z.record(z.string(), z.array(z.string())),
});
export type OpenTagsResponse = z.infer<typeof openTagsResponseSchema>;
