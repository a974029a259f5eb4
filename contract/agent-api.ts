import { z } from 'zod';
import { CLOSE_NOTE_MAX_LENGTH, HANDOVER_NOTE_MAX_LENGTH } from './agent-limits.ts';
import { MESSAGE_MAX_LENGTH, messageViewSchema, ticketViewSchema } from './api.ts';
import { ticketPrioritySchema } from './team-api.ts';
import { text } from './text.ts';

/**
 * The agents' API (`/api/agent/*`), used by the Mini App. Kept apart from `api.ts` so the visitor widget's
 * bundle does not carry it. Every request carries `Authorization: tma <initData>` (Telegram's launch data,
 * validated on the server with the bot token and a maximum age); only members of the support group get in.
 * Errors use the visitor API's one shape, `{ error: { code, message } }`.
 */

export { AGENT_AUTH_SCHEME, CLOSE_NOTE_MAX_LENGTH, HANDOVER_NOTE_MAX_LENGTH } from './agent-limits.ts';

/** A ticket in one of the queue's lists. */
export const agentQueueItemSchema = z.object({
  id: z.number().int(),
  status: ticketViewSchema.shape.status,
  /** low / normal / high: the lists show high first, then by age. */
  priority: ticketPrioritySchema,
  category: z.string().nullable(),
  /** The visitor's first message (or "📎 Attachment"). */
  preview: z.string(),
  /** How many agents passed on it. */
  passes: z.number().int(),
  passed_by_me: z.boolean(),
  created_at: z.string(),
  /** Seconds since the ticket was opened, by the server's clock. */
  age_seconds: z.number().int(),
  agent_name: z.string().nullable(),
  /** Claimed by the agent asking. */
  mine: z.boolean(),
  /** Visitor messages since the assigned agent's last reply (0 while unclaimed). */
  unread: z.number().int(),
  last_message_at: z.string().nullable(),
});
export type AgentQueueItem = z.infer<typeof agentQueueItemSchema>;

export const agentQueueResponseSchema = z.object({
  /** Waiting for an agent, oldest first. */
  unclaimed: z.array(agentQueueItemSchema),
  /** Claimed by the agent asking. */
  mine: z.array(agentQueueItemSchema),
  /** Every ticket not closed (unclaimed and claimed), oldest first. */
  open: z.array(agentQueueItemSchema),
});
export type AgentQueueResponse = z.infer<typeof agentQueueResponseSchema>;

export const agentTicketViewSchema = ticketViewSchema.extend({
  mine: z.boolean(),
  /** Agents only (never in the visitor's view). */
  priority: ticketPrioritySchema,
  passed_by: z.array(z.string()),
  rating_comment: z.string().nullable(),
});
export type AgentTicketView = z.infer<typeof agentTicketViewSchema>;

export const visitorDetailsSchema = z.object({
  session_id: z.string(),
  locale: z.string().nullable(),
  referrer: z.string().nullable(),
  user_agent: z.string().nullable(),
  contact: z.object({ email: z.string().nullable(), phone: z.string().nullable() }).nullable(),
  first_seen_at: z.string(),
  last_seen_at: z.string(),
  /** The visitor's earlier tickets (closed ones), for context. */
  previous_tickets: z.number().int(),
  /** The host page the visitor is on now (the widget reports every page change); null before. */
  page: z.object({ url: z.string(), title: z.string().nullable() }).nullable(),
  /** utm_source, … of the page the visitor landed on (`{ source: 'newsletter' }`); null without any. */
  utm: z.record(z.string(), z.string()).nullable(),
  /** The visitor's IANA time zone, e.g. Europe/Berlin. */
  time_zone: z.string().nullable(),
  /** Who the host site says the visitor is (`Switchboard.identify`, verified); null for anonymous visitors. */
  identity: z
    .object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() })
    .nullable(),
});
export type VisitorDetails = z.infer<typeof visitorDetailsSchema>;

/** A message as agents see it: also whether Telegram refused to deliver it to the agent's DM. */
export const agentMessageViewSchema = messageViewSchema.extend({
  /** Telegram refused it for good (`reason`: Telegram's description); read it here. Null otherwise. */
  undeliverable: z.object({ at: z.string(), reason: z.string() }).nullable(),
  /** Its author deleted it (the visitor in the widget, the agent here): gone for the visitor; else null. */
  deleted_at: z.string().nullable(),
  /** Written by the agent asking (they may delete it: DELETE /api/agent/tickets/:id/messages/:messageId). */
  mine: z.boolean(),
});
export type AgentMessageView = z.infer<typeof agentMessageViewSchema>;

/** GET /api/agent/tickets/:id — the ticket, its conversation (oldest first) and who the visitor is. */
export const agentTicketResponseSchema = z.object({
  ticket: agentTicketViewSchema,
  visitor: visitorDetailsSchema,
  messages: z.array(agentMessageViewSchema),
});
export type AgentTicketResponse = z.infer<typeof agentTicketResponseSchema>;

export const agentReplyRequestSchema = z
  .object({
    body: text({ max: MESSAGE_MAX_LENGTH, nonBlank: true }),
  })
  .strict();
export type AgentReplyRequest = z.infer<typeof agentReplyRequestSchema>;

export const agentReplyResponseSchema = z.object({ message: messageViewSchema, ticket: ticketViewSchema });
export type AgentReplyResponse = z.infer<typeof agentReplyResponseSchema>;

/*
 * DELETE /api/agent/tickets/:id/messages/:messageId — the agent deletes one of their own messages (204): the
 * visitor no longer sees it, the app shows it marked deleted. Another's message: 403; unknown: 404.
 * POST /api/agent/tickets/:id/typing — the agent is writing a reply (204): the visitor's stream gets
 * `agent.typing`. Call it every 2–3 s while typing; calls more often than every 2 s are answered and dropped.
 */

/** POST /api/agent/tickets/:id/close — an optional last note, sent to the visitor before the close. */
export const agentCloseRequestSchema = z
  .object({
    note: text({ max: CLOSE_NOTE_MAX_LENGTH }).optional(),
  })
  .strict();
export type AgentCloseRequest = z.infer<typeof agentCloseRequestSchema>;

/**
 * POST /api/agent/tickets/:id/transfer — the agent answering the ticket hands it to another agent (`to`: their
 * id; they get the history and the note) or back to the queue (`to: "queue"`). Not theirs: 403.
 */
export const agentTransferRequestSchema = z
  .object({
    to: z.union([z.number().int().positive().max(2_147_483_647), z.literal('queue')]),
    note: text({ max: HANDOVER_NOTE_MAX_LENGTH }).optional(),
  })
  .strict();
export type AgentTransferRequest = z.infer<typeof agentTransferRequestSchema>;

/** GET /api/agent/tickets/:id/transfer-candidates — who it can go to, advised order first. */
export const transferCandidateSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  state: z.enum(['online', 'away', 'offline']),
  /** Has the skill the ticket's category needs. */
  skilled: z.boolean(),
  open_tickets: z.number().int(),
});
export const transferCandidatesResponseSchema = z.object({ agents: z.array(transferCandidateSchema) });
export type TransferCandidate = z.infer<typeof transferCandidateSchema>;
export type TransferCandidatesResponse = z.infer<typeof transferCandidatesResponseSchema>;

/** claim, pass, close and transfer answer with the ticket's new state. */
export const agentTicketActionResponseSchema = z.object({ ticket: agentTicketViewSchema });
export type AgentTicketActionResponse = z.infer<typeof agentTicketActionResponseSchema>;

/** GET /api/agent/me — who the server sees, and the bot to open chats with. */
export const agentMeResponseSchema = z.object({
  agent: z.object({ id: z.number().int(), name: z.string(), username: z.string().nullable() }),
  bot_username: z.string().nullable(),
});
export type AgentMeResponse = z.infer<typeof agentMeResponseSchema>;

/**
 * GET /api/agent/deliveries — Telegram deliveries (cards, messages to agents' DMs) not sent yet. `delayed`
 * once the oldest has waited past the server's alert threshold: the app shows a banner, as /queue does.
 */
export const agentDeliveriesResponseSchema = z.object({
  waiting: z.number().int(),
  /** How long the oldest has been waiting; null when none waits. */
  oldest_seconds: z.number().int().nullable(),
  delayed: z.boolean(),
});
export type AgentDeliveriesResponse = z.infer<typeof agentDeliveriesResponseSchema>;

/** GET /api/agent/stats/today?since=<ISO date-time> — "today" starts at `since` (default: UTC midnight). */
export const todayStatsQuerySchema = z
  .object({ since: z.iso.datetime({ offset: true }).optional() })
  .strict();

export const todayStatsResponseSchema = z.object({
  since: z.string(),
  /** Not closed right now (unclaimed + claimed). */
  open_count: z.number().int(),
  unclaimed_count: z.number().int(),
  claimed_count: z.number().int(),
  closed_count: z.number().int(),
  /** Over tickets whose first agent reply came since `since`; null without any. */
  median_first_reply_seconds: z.number().nullable(),
  first_replies: z.number().int(),
  /** Ratings of tickets closed since `since`. */
  ratings: z.object({
    count: z.number().int(),
    average: z.number().nullable(),
    /** How many 1-, 2-, 3-, 4- and 5-star ratings. */
    distribution: z.array(z.number().int()).length(5),
  }),
  /** Visitor messages since `since` that Telegram refused for good (not in any agent's DM). */
  undeliverable_count: z.number().int(),
});
export type TodayStatsResponse = z.infer<typeof todayStatsResponseSchema>;

/**
 * GET /api/agent/tickets/:id/export (and the admin API's GET /api/admin/sessions/:id/export): every
 * conversation of the ticket's visitor, as JSON (default) or a readable plain-text transcript.
 */
export const exportQuerySchema = z.object({ format: z.enum(['json', 'text']).default('json') }).strict();
export type ExportFormat = z.infer<typeof exportQuerySchema>['format'];

/** POST /api/agent/tickets/:id/erase (and DELETE /api/admin/sessions/:id): what was erased. */
export const eraseResponseSchema = z.object({
  erased: z.object({
    session_id: z.string(),
    /** The visitor's tickets that were removed (their group cards now say "erased"). */
    tickets: z.array(z.number().int()),
    messages: z.number().int(),
  }),
});
export type EraseResponse = z.infer<typeof eraseResponseSchema>;

/**
 * Server-Sent Events on GET /api/agent/events: `ready` once connected (a client refetches what it shows),
 * `ticket` on any ticket change (claim, pass, close, new ticket), `message` on any new message.
 */
export type AgentEvent =
  | { type: 'ready'; data: { at: string } }
  | { type: 'ticket'; data: z.infer<typeof ticketViewSchema> }
  | { type: 'message'; data: z.infer<typeof messageViewSchema> }
  /** A message was edited or its reactions changed. */
  | { type: 'message.updated'; data: z.infer<typeof messageViewSchema> }
  /** A message was deleted by its author. */
  | { type: 'message.deleted'; data: { id: number; ticket_id: number } };
