import type { EntityManager } from '../db/orm.ts';
import { createAgentService } from './agent.service.ts';
import { createAgentConsoleService } from './agent-console.service.ts';
import { createAgentDeskService } from './agent-desk.service.ts';
import type { EventBus } from './event-bus.ts';
import { createMediaRetentionService } from './media-retention.service.ts';
import { createMessageService } from './message.service.ts';
import { createMessageChangeService } from './message-changes.service.ts';
import { noOutbox, type Outbox } from './outbox.ts';
import { createResponseTimeService } from './response-time.ts';
import { createSessionService } from './session.service.ts';
import { createTelegramLinkService } from './telegram-links.service.ts';
import { createTicketService } from './ticket.service.ts';
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
}: {
  em: EntityManager;
  bus: EventBus;
  outbox?: Outbox;
  /** How long after sending a visitor may edit or delete a message (default 15 minutes). */
  editWindowMs?: number;
}) {
  return {
    sessions: createSessionService({ em, outbox }),
    agents: createAgentService({ em }),
    desk: createAgentDeskService({ em, bus }),
    agentConsole: createAgentConsoleService({ em }),
    messages: createMessageService({ em, bus, outbox }),
    tickets: createTicketService({ em, bus, outbox }),
    mediaRetention: createMediaRetentionService({ em }),
    visitorData: createVisitorDataService({ em, outbox }),
    responseTime: createResponseTimeService({ em }),
    telegramLinks: createTelegramLinkService({ em }),
    messageChanges: createMessageChangeService({ em, bus, outbox, editWindowMs }),
    typing: createTypingService({ em, bus }),
  };
}
