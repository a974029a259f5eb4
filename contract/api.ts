import { z } from 'zod';

/**
 * The HTTP API's shapes, shared by the server, the widget and the Mini App. Browser-safe: zod only.
 * Wire names are snake_case, as in the seed API.
 */

import { MESSAGE_MAX_LENGTH, RATING_COMMENT_MAX_LENGTH } from './limits.ts';
import { languageTagSchema, text } from './text.ts';

export { MESSAGE_MAX_LENGTH, RATING_COMMENT_MAX_LENGTH, UPLOAD_MAX_BYTES, UPLOAD_TYPES } from './limits.ts';

export const errorCodeSchema = z.enum([
  'bad_request',
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'ticket_already_claimed',
  'ticket_closed',
  'rate_limited',
  'service_unavailable',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorResponseSchema = z.object({
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const createSessionRequestSchema = z
  .object({
    locale: languageTagSchema.optional(),
    referer: text({ max: 2048 }).optional(),
  })
  .strict();
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;

export const createSessionResponseSchema = z.object({
  session_id: z.uuid(),
  access_token: z.string(),
});
export type CreateSessionResponse = z.infer<typeof createSessionResponseSchema>;

export const sessionIdSchema = z.uuid();
export const ticketIdSchema = z.coerce.number().int().positive().max(2_147_483_647);
export const messageIdSchema = z.coerce.number().int().min(0).max(2_147_483_647);

export const conversationQuerySchema = z.object({ after: messageIdSchema.optional() }).strict();

export const sendMessageRequestSchema = z
  .object({
    body: text({ max: MESSAGE_MAX_LENGTH, nonBlank: true }),
    category: text({ max: 64, nonBlank: true }).optional(),
  })
  .strict();
export type SendMessageRequest = z.infer<typeof sendMessageRequestSchema>;

/** The optional caption of an upload (multipart field `body`): may be empty, the file is the message. */
export const mediaCaptionSchema = text({ max: MESSAGE_MAX_LENGTH });

export const contactRequestSchema = z
  .object({
    email: z.email('must be an email address').max(320).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()./-]{5,40}$/, 'must be a phone number')
      .optional(),
  })
  .strict()
  .refine(
    (contact) => contact.email !== undefined || contact.phone !== undefined,
    'give an email or a phone number',
  );
export type ContactRequest = z.infer<typeof contactRequestSchema>;

export const senderSchema = z.enum(['visitor', 'agent', 'system']);
export type Sender = z.infer<typeof senderSchema>;

export const ticketStatusSchema = z.enum(['open', 'claimed', 'closed']);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

export const messageViewSchema = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  sender: senderSchema,
  body: z.string(),
  media_url: z.string().nullable(),
  agent_name: z.string().nullable(),
  created_at: z.string(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

export const ticketViewSchema = z.object({
  id: z.number().int(),
  status: ticketStatusSchema,
  category: z.string().nullable(),
  agent_name: z.string().nullable(),
  created_at: z.string(),
  claimed_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  rating: z.number().int().nullable(),
  /** After hours: the widget should offer the contact form (email / phone). */
  contact_requested: z.boolean(),
});
export type TicketView = z.infer<typeof ticketViewSchema>;

export const conversationResponseSchema = z.object({
  session_id: z.uuid(),
  /** The contact details the visitor left (after hours), shown back to them; null before. */
  contact: z.object({ email: z.string().nullable(), phone: z.string().nullable() }).nullable(),
  /** The session's latest ticket (the open one, if any), or null before the first message. */
  ticket: ticketViewSchema.nullable(),
  tickets: z.array(ticketViewSchema),
  messages: z.array(messageViewSchema),
});
export type ConversationResponse = z.infer<typeof conversationResponseSchema>;

export const sendMessageResponseSchema = z.object({
  message: messageViewSchema,
  ticket: ticketViewSchema,
});
export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;

export const closeTicketResponseSchema = z.object({ ticket: ticketViewSchema });

/** After close: 1–5 stars and an optional comment, once per ticket (a second rating replaces the first). */
export const rateTicketRequestSchema = z
  .object({
    rating: z.number().int().min(1).max(5),
    comment: text({ max: RATING_COMMENT_MAX_LENGTH }).optional(),
  })
  .strict();
export type RateTicketRequest = z.infer<typeof rateTicketRequestSchema>;
export type CloseTicketResponse = z.infer<typeof closeTicketResponseSchema>;

/** GET /api/config — what the widget needs before the first message. */
export const widgetConfigResponseSchema = z.object({
  /** Ticket categories offered as optional quick choices (`CATEGORIES`). */
  categories: z.array(z.string()),
  /**
   * How soon agents usually answer: the median time from a ticket's creation to its first agent reply,
   * over claimed tickets of the last 30 days, in seconds; null when there is no such ticket yet.
   */
  typical_reply_seconds: z.number().int().nonnegative().nullable(),
});
export type WidgetConfigResponse = z.infer<typeof widgetConfigResponseSchema>;

/** GET /api/session/:id/transcript?lang=en|ru — the visitor's own conversations as a text file. */
export const transcriptQuerySchema = z.object({ lang: z.enum(['en', 'ru']).optional() }).strict();

/** Server-Sent Events on GET /api/session/:id/events. `message` events carry the message id as the SSE id. */
export type SessionEvent = { type: 'message'; data: MessageView } | { type: 'ticket'; data: TicketView };
