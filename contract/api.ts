import { z } from 'zod';

/**
 * The HTTP API's shapes, shared by the server, the widget and the Mini App. Browser-safe: zod only.
 * Wire names are snake_case, as in the seed API.
 */

import { MESSAGE_MAX_LENGTH, RATING_COMMENT_MAX_LENGTH, VISITOR_REACTIONS } from './limits.ts';
import { languageTagSchema, text } from './text.ts';

export {
  DEFAULT_EDIT_WINDOW_SECONDS,
  MESSAGE_MAX_LENGTH,
  RATING_COMMENT_MAX_LENGTH,
  UPLOAD_MAX_BYTES,
  UPLOAD_TYPES,
  VISITOR_REACTIONS,
  type VisitorReaction,
} from './limits.ts';

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
  /** A message older than the edit window (`MESSAGE_EDIT_WINDOW_MINUTES`) cannot be edited or deleted. */
  'edit_window_expired',
  /** A send retried with the `client_id` of a message deleted since: it stays deleted. */
  'message_deleted',
  'rate_limited',
  'service_unavailable',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorResponseSchema = z.object({
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** An absolute http(s) URL of at most `max` characters (page addresses: never javascript:, data:, …). */
const httpUrl = (max: number) =>
  text({ max }).refine(
    (value) => /^https?:\/\/[^\s]+$/i.test(value) && URL.canParse(value),
    'must be an http(s) URL',
  );

/** utm_source … utm_content of the page the visitor landed on. */
export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
const utmValue = text({ max: 200 }).optional();
export const utmSchema = z
  .object({ source: utmValue, medium: utmValue, campaign: utmValue, term: utmValue, content: utmValue })
  .strict();
export type Utm = z.infer<typeof utmSchema>;

/**
 * Where the visitor is (the widget sends it at session creation and whenever the host page changes,
 * PUT /api/session/:id/context): the host page's URL and title, the visitor's referrer, the UTM
 * parameters of the landing page, their IANA time zone and language. Every field is optional; what is
 * sent replaces what was stored (`url`, `title`), absent fields stay.
 */
export const pageContextSchema = z
  .object({
    url: httpUrl(2048).optional(),
    title: text({ max: 300 }).optional(),
    referrer: httpUrl(2048).optional(),
    utm: utmSchema.optional(),
    time_zone: z
      .string()
      .max(64)
      .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, 'must be an IANA time zone such as Europe/Berlin')
      .optional(),
    language: languageTagSchema.optional(),
  })
  .strict();
export type PageContext = z.infer<typeof pageContextSchema>;

export const createSessionRequestSchema = z
  .object({
    locale: languageTagSchema.optional(),
    referer: text({ max: 2048 }).optional(),
    /** Where the visitor is, as for PUT /api/session/:id/context. */
    context: pageContextSchema.optional(),
  })
  .strict();
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;

export const createSessionResponseSchema = z.object({
  session_id: z.uuid(),
  access_token: z.string(),
});
export type CreateSessionResponse = z.infer<typeof createSessionResponseSchema>;

export const IDENTITY_ID_MAX_LENGTH = 255;

/**
 * POST /api/session/:id/identify — the host site says who the visitor is (`Switchboard.identify`):
 * `hash` is the hex HMAC-SHA256 of `id` with the site's IDENTITY_SECRET, computed on the site's server.
 * Answers the credentials of the identity's one session (`{ session_id, access_token }`, as POST
 * /api/session): this session, now attached to the id, or the one the id already had, which the widget
 * switches to. A wrong hash, or no IDENTITY_SECRET on the server: 403, nothing changes.
 */
export const identifyRequestSchema = z
  .object({
    id: text({ max: IDENTITY_ID_MAX_LENGTH, nonBlank: true }),
    name: text({ max: 200 }).optional(),
    email: z.email('must be an email address').max(320).optional(),
    hash: z.string().regex(/^[0-9a-f]{64}$/i, 'must be the hex HMAC-SHA256 of id'),
  })
  .strict();
export type IdentifyRequest = z.infer<typeof identifyRequestSchema>;
export type IdentifyResponse = CreateSessionResponse;

export const sessionIdSchema = z.uuid();
export const ticketIdSchema = z.coerce.number().int().positive().max(2_147_483_647);
export const messageIdSchema = z.coerce.number().int().min(0).max(2_147_483_647);
/** A message named in a path (`/messages/:messageId`). */
export const messageIdParamSchema = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * A `revision` cursor of GET /api/session/:id, sent back as `?since=`: digits only (a transaction id,
 * below 2^53).
 */
export const revisionSchema = z
  .string()
  .regex(/^\d{1,16}$/, 'must be a revision from an earlier answer')
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'must be a revision from an earlier answer'));

/**
 * GET /api/session/:id: everything (no query), only newer messages (`after`: a message id), or every
 * message changed since an earlier answer (`since`: its `revision`). `after` and `since` exclude each other.
 */
export const conversationQuerySchema = z
  .object({ after: messageIdSchema.optional(), since: revisionSchema.optional() })
  .strict()
  .refine((query) => query.after === undefined || query.since === undefined, {
    message: 'give either after (newer messages) or since (changed messages), not both',
    path: ['since'],
  });
export type ConversationQuery = z.infer<typeof conversationQuerySchema>;

/**
 * A uuid the client made for a send (a message or an upload) and keeps across its retries: the same id
 * again (an answer lost on the way) is answered with the message stored the first time, never stored
 * twice. Reused for another message (another body, or a file where there was none or the reverse): 409.
 * Optional: a send without one is stored as sent. Echoed (lower case) as the message's `client_id`.
 */
export const clientIdSchema = z.uuid().transform((id) => id.toLowerCase());

export const sendMessageRequestSchema = z
  .object({
    body: text({ max: MESSAGE_MAX_LENGTH, nonBlank: true }),
    category: text({ max: 64, nonBlank: true }).optional(),
    client_id: clientIdSchema.optional(),
  })
  .strict();
export type SendMessageRequest = z.infer<typeof sendMessageRequestSchema>;

/**
 * PUT /api/tickets/:id/category — the visitor changes what their conversation is about (a category key, or
 * null for none) while it waits for an agent; once an agent has taken it: 409.
 */
export const setCategoryRequestSchema = z
  .object({ category: text({ max: 64, nonBlank: true }).nullable() })
  .strict();
export type SetCategoryRequest = z.infer<typeof setCategoryRequestSchema>;

/** The optional caption of an upload (multipart field `body`): may be empty, the file is the message. */
export const mediaCaptionSchema = text({ max: MESSAGE_MAX_LENGTH });

/**
 * POST /api/session/:id/media?client_id=… — the upload's `client_id` (see clientIdSchema) is in the query,
 * not in the form: the server reads it before the body, so a retry of a stored upload writes no file.
 */
export const mediaUploadQuerySchema = z.object({ client_id: clientIdSchema.optional() }).strict();

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

/** Who put a reaction on a message: each side has at most one per message. */
export const reactionSideSchema = z.enum(['agent', 'visitor']);
export const reactionViewSchema = z.object({ emoji: z.string(), from: reactionSideSchema });
export type ReactionView = z.infer<typeof reactionViewSchema>;

/**
 * What a system message says, as a code and parameters, so that each client words it in its own language
 * (`body` keeps the English text for older clients, the transcript and Telegram). Clients show `body` for
 * a code they do not know: the list may grow.
 * - `agent_joined`: an agent took the conversation (`agent_name`);
 * - `closed_by_visitor`: the visitor ended it;
 * - `closed_by_agent`: an agent ended it (`agent_name`);
 * - `contact_requested`: nobody is free (after hours): the visitor is asked for an email or phone number;
 * - `returned_to_queue`: the agent handed the conversation back to the team: the next free agent takes it.
 */
export const SYSTEM_EVENT_CODES = [
  'agent_joined',
  'closed_by_visitor',
  'closed_by_agent',
  'contact_requested',
  'returned_to_queue',
] as const;
export type SystemEventCode = (typeof SYSTEM_EVENT_CODES)[number];
export const systemEventParamsSchema = z.object({ agent_name: z.string().optional() });
export type SystemEventParams = z.infer<typeof systemEventParamsSchema>;
export const systemEventSchema = z.object({
  /** One of SYSTEM_EVENT_CODES from this server; a string on the wire, so that a newer code never breaks a client. */
  code: z.string(),
  params: systemEventParamsSchema,
});
/** A system event as the server stores and sends it. */
export type SystemEvent = { code: SystemEventCode; params: SystemEventParams };

export const messageViewSchema = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  sender: senderSchema,
  body: z.string(),
  media_url: z.string().nullable(),
  agent_name: z.string().nullable(),
  created_at: z.string(),
  // The server always sends the two below; they are optional in the type only, so that code written
  // before them (fixtures, older clients) still compiles.
  /** When its author last changed the body (the visitor in the widget, the agent in Telegram); else null. */
  edited_at: z.string().nullable().optional(),
  /** At most one per side: the agent's (from Telegram) and the visitor's; [] without any. */
  reactions: z.array(reactionViewSchema).optional(),
  /** For `sender = 'system'`: what happened, as a code with parameters (see SYSTEM_EVENT_CODES); else null. */
  event: systemEventSchema.nullable().optional(),
  /** The `client_id` of the visitor's send that stored it (the widget matches its pending copy by it); else null. */
  client_id: z.string().nullable().optional(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

/**
 * PATCH /api/session/:id/messages/:messageId — the visitor changes one of their own messages, within the
 * edit window after sending (`edit_window_seconds` of GET /api/config), while its ticket is open. Answers
 * `{ message }`. The agent's Telegram copy is edited (marked ✏️ edited).
 */
export const editMessageRequestSchema = z
  .object({ body: text({ max: MESSAGE_MAX_LENGTH, nonBlank: true }) })
  .strict();
export type EditMessageRequest = z.infer<typeof editMessageRequestSchema>;
export const messageResponseSchema = z.object({ message: messageViewSchema });
export type MessageResponse = z.infer<typeof messageResponseSchema>;

/**
 * PUT /api/session/:id/messages/:messageId/reaction — the visitor's reaction to an agent's message, one of
 * VISITOR_REACTIONS, or null to take it back. Answers `{ message }`.
 */
export const reactionRequestSchema = z
  .object({
    emoji: z
      .string()
      // ❤️ (with the emoji variation selector) is Telegram's ❤.
      .transform((value) => value.replace(/\uFE0F/g, ''))
      .pipe(z.enum(VISITOR_REACTIONS, `must be one of ${VISITOR_REACTIONS.join(' ')}`))
      .nullable(),
  })
  .strict();
export type ReactionRequest = z.infer<typeof reactionRequestSchema>;

/** `message.deleted` on the event streams: the message is gone (the visitor's views no longer list it). */
export const messageDeletedEventSchema = z.object({ id: z.number().int(), ticket_id: z.number().int() });
export type MessageDeletedEvent = z.infer<typeof messageDeletedEventSchema>;

/** `agent.typing` on the visitor's event stream: the agent is writing in the Mini App (about 5 s each). */
export const agentTypingEventSchema = z.object({ ticket_id: z.number().int(), agent_name: z.string() });
export type AgentTypingEvent = z.infer<typeof agentTypingEventSchema>;

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
  /**
   * Grows with every change of the ticket: of two states of one ticket (an answer, a `ticket` event from
   * whichever instance), the higher version is the newer; keep it and drop the older (contract/ticket-version.ts).
   * Optional in the type only, for code written before it; the server always sends it.
   */
  version: z.number().int().positive().optional(),
});
export type TicketView = z.infer<typeof ticketViewSchema>;

export const conversationResponseSchema = z.object({
  session_id: z.uuid(),
  /** The contact details the visitor left (after hours), shown back to them; null before. */
  contact: z.object({ email: z.string().nullable(), phone: z.string().nullable() }).nullable(),
  /** The session's latest ticket (the open one, if any), or null before the first message. */
  ticket: ticketViewSchema.nullable(),
  tickets: z.array(ticketViewSchema),
  /**
   * In order: every message not deleted; with `after`, only newer ones; with `since`, those created or
   * changed (edited, reacted to, …) since that revision.
   */
  messages: z.array(messageViewSchema),
  /** With `since`: the messages deleted since that revision (take them away); else []. */
  deleted_message_ids: z.array(z.number().int()),
  /**
   * The cursor for the next `?since=`. Opaque: not the highest revision seen but the oldest transaction
   * still running when the answer was read, so a change committed late by an older transaction is never
   * skipped (a message may come again; applying it twice is harmless).
   */
  revision: z.number().int().nonnegative(),
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

/** A ticket category offered to visitors: its stable key and its labels (see `category_options`). */
export const categoryOptionSchema = z.object({
  key: z.string(),
  label: z.string(),
  /** Labels by language (`ru`, …) where they differ from `label`. */
  labels: z.record(z.string(), z.string()),
});
export type CategoryOption = z.infer<typeof categoryOptionSchema>;

/** GET /api/config — what the widget needs before the first message. */
export const widgetConfigResponseSchema = z.object({
  /** Ticket categories offered as optional quick choices (`CATEGORIES`). */
  categories: z.array(z.string()),
  /**
   * The same categories, in the same order, with their labels (`CATEGORIES`, e.g.
   * `billing:Billing|ru=Оплата`): `key` is what a message's `category` carries and tickets store, `label`
   * is shown in every language without its own entry in `labels` (`{ ru: 'Оплата' }`). Absent from older
   * servers: then show the keys.
   */
  category_options: z.array(categoryOptionSchema).optional(),
  /**
   * How soon agents usually answer: the median time from a ticket's creation to its first agent reply,
   * over claimed tickets of the last 30 days, in seconds; null when there is no such ticket yet.
   */
  typical_reply_seconds: z.number().int().nonnegative().nullable(),
  /** How long after sending a visitor may edit or delete a message (`MESSAGE_EDIT_WINDOW_MINUTES`). */
  edit_window_seconds: z.number().int().nonnegative(),
});
export type WidgetConfigResponse = z.infer<typeof widgetConfigResponseSchema>;

/** GET /api/session/:id/transcript?lang=en|ru — the visitor's own conversations as a text file. */
export const transcriptQuerySchema = z.object({ lang: z.enum(['en', 'ru']).optional() }).strict();

/**
 * Server-Sent Events on GET /api/session/:id/events. `message` events (new messages) carry the message id
 * as the SSE id; the others carry none (a reconnect resumes after the newest message, and GET
 * /api/session/:id shows the current state of every message).
 * - `message.updated`: a message's body (edited, `edited_at` set) or reactions changed: the whole message;
 * - `message.deleted`: its author deleted it: `{ id, ticket_id }`;
 * - `agent.typing`: the agent is writing: `{ ticket_id, agent_name }` (show it for about 5 s).
 */
export type SessionEvent =
  | { type: 'message'; data: MessageView }
  | { type: 'ticket'; data: TicketView }
  | { type: 'message.updated'; data: MessageView }
  | { type: 'message.deleted'; data: MessageDeletedEvent }
  | { type: 'agent.typing'; data: AgentTypingEvent };
