import type { EntityManager } from '../db/orm.ts';
import { createAgentService } from './agent.service.ts';
import { createAgentConsoleService } from './agent-console.service.ts';
import { createAgentDeskService } from './agent-desk.service.ts';
import { type AssignmentMode, createAssignmentService } from './assignment.service.ts';
import { createCannedReplyService } from './canned-replies.service.ts';
import type { EventBus } from './event-bus.ts';
import { createMediaRetentionService } from './media-retention.service.ts';
import { createMessageService } from './message.service.ts';
import { createMessageChangeService } from './message-changes.service.ts';
import { createNoteService } from './notes.service.ts';
import { noOutbox, type Outbox } from './outbox.ts';
import { createPresenceService } from './presence.service.ts';
import { createReportService } from './reports.service.ts';
import { createResponseTimeService } from './response-time.ts';
import { createSearchService } from './search.service.ts';
import { createSessionService } from './session.service.ts';
import { createTagService } from './tags.service.ts';
import { createTelegramLinkService } from './telegram-links.service.ts';
import { createTicketService } from './ticket.service.ts';
import { createTicketPriorityService } from './ticket-priority.service.ts';
import { createTypingService } from './typing.service.ts';
import { createVisitorDataService } from './visitor-data.service.ts';

export type Services = ReturnType<typeof createServices>;

/**
 * The domain services. `em` is the ORM's root entity manager: callers run inside a RequestContext
 * (one per HTTP request / bot update), so every call works on that request's fork.
 */
export function createServices({
  em,
  bus,
  outbox = noOutbox,
  editWindowMs,
  presence,
  assignment,
}: {
  em: EntityManager;
  bus: EventBus;
  outbox?: Outbox;
  /** How long after sending a visitor may edit or delete a message (default 15 minutes). */
  editWindowMs?: number;
  /** Presence and skills (core/presence.service.ts): away after, category → skills, the clock (tests). */
  presence?: Omit<Parameters<typeof createPresenceService>[0], 'em' | 'outbox' | 'autoAssign'>;
  /** Who gets new tickets (core/assignment.service.ts); default manual (Claim on the card). */
  assignment?: { mode: AssignmentMode; capacity: number; offerMs: number };
}) {
  const autoAssign = assignment?.mode === 'auto';
  const presenceService = createPresenceService({ em, outbox, ...presence, autoAssign });
  return {
    sessions: createSessionService({ em, outbox }),
    agents: createAgentService({ em }),
    desk: createAgentDeskService({ em, bus }),
    agentConsole: createAgentConsoleService({ em }),
    messages: createMessageService({ em, bus, outbox, autoAssign }),
    tickets: createTicketService({ em, bus, outbox, autoAssign }),
    mediaRetention: createMediaRetentionService({ em }),
    visitorData: createVisitorDataService({ em, outbox }),
    responseTime: createResponseTimeService({ em }),
    telegramLinks: createTelegramLinkService({ em }),
    messageChanges: createMessageChangeService({ em, bus, outbox, editWindowMs }),
    typing: createTypingService({ em, bus }),
    presence: presenceService,
    assignment: createAssignmentService({
      em,
      outbox,
      presence: presenceService,
      ...(assignment ?? { mode: 'manual', capacity: 5, offerMs: 60_000 }),
    }),
    priority: createTicketPriorityService({ em, bus, outbox }),
    cannedReplies: createCannedReplyService({ em }),
    notes: createNoteService({ em, bus }),
    tags: createTagService({ em }),
    search: createSearchService({ em }),
    reports: createReportService({ em }),
  };
}
