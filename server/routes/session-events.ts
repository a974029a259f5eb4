import {
  type AgentTypingEvent,
  type MessageDeletedEvent,
  type MessageView,
  messageIdSchema,
  type TicketView,
} from '../../contract/api.ts';
import { isOlderTicket } from '../../contract/ticket-version.ts';
import type { DomainEvent, EventBus } from '../../core/event-bus.ts';
import type { Services } from '../../core/services.ts';
import type { EventStream, EventStreams, StreamTarget } from '../event-streams.ts';
import { HttpError } from '../http-error.ts';

/** How many sent message ids a stream remembers to send each once (late events arrive within seconds). */
const RECENT_IDS = 1000;

/**
 * A session's live events: `message` (SSE id = message id), `ticket` (its current state), and without SSE
 * ids `message.updated`, `message.deleted` and `agent.typing` (contract/api.ts, SessionEvent).
 * With `lastEventId` (the `Last-Event-ID` header, or `?last_event_id=`), the messages after it are
 * replayed first. Live events that arrive during the replay wait in a queue and are deduplicated by id,
 * so nothing is missed or sent twice. What stays alive with the stream is its subscriber's state only.
 */
export async function streamSessionEvents(
  target: StreamTarget,
  request: { sessionId: string; lastEventId: string },
  deps: { services: Services; bus: EventBus; eventStreams: EventStreams },
) {
  const { sessionId } = request;
  const lastId = request.lastEventId === '' ? undefined : messageIdSchema.safeParse(request.lastEventId);
  if (lastId && !lastId.success)
    throw new HttpError(400, 'validation_failed', 'Last-Event-ID: must be a message id');

  // A client whose address has too many streams is refused before any work.
  const place = await deps.eventStreams.reserve(target.ip, sessionId);

  // Subscribe before reading the database, so that nothing published in between is lost.
  const subscriber = new SessionSubscriber(lastId?.data ?? 0);
  let unsubscribe = () => {};

  let ticket: TicketView | null;
  let missed: MessageView[];
  let stream: EventStream;
  try {
    unsubscribe = deps.bus.subscribe(sessionId, subscriber.listener);
    ticket = await deps.services.sessions.latestTicket(sessionId);
    missed =
      lastId?.data === undefined ? [] : await deps.services.sessions.messagesAfter(sessionId, lastId.data);
    // Beyond the session's cap this ends its oldest stream: only now, with the reads done.
    stream = deps.eventStreams.open(target, sessionId, place);
  } catch (error) {
    unsubscribe();
    place();
    throw error;
  }
  stream.onClose(unsubscribe);
  subscriber.start(stream, ticket, missed);
}

/**
 * What a session's stream keeps while it lives: events that come during the replay wait in a queue, and
 * the ids of recently sent messages, as the replay and live events overlap and each goes out once.
 */
class SessionSubscriber {
  private readonly resumeAfter: number;
  private lastSentId: number;
  private stream: EventStream | undefined;
  /** Events published before the stream opened and the replay went out. */
  private queue: DomainEvent[] | undefined = [];
  /** Recently sent message ids (made at the first message). */
  private sent: Set<number> | undefined;
  /**
   * The version of each ticket state sent (made at the first): an older state that arrives later (read
   * before the stream opened, or another instance's event delayed) is not sent over a newer one.
   */
  private ticketVersions: Map<number, number> | undefined;

  constructor(resumeAfter: number) {
    this.resumeAfter = resumeAfter;
    this.lastSentId = resumeAfter;
  }

  /** The bus listener. */
  readonly listener = (event: DomainEvent) => {
    if (this.queue) this.queue.push(event);
    else this.deliver(event);
  };

  /** Sends the current ticket and the replay, then what waited, then everything as it comes. */
  start(stream: EventStream, ticket: TicketView | null, missed: MessageView[]) {
    this.stream = stream;
    if (ticket) this.sendTicket(ticket);
    for (const message of missed) this.sendMessage(message);
    const waited = this.queue ?? [];
    this.queue = undefined;
    for (const event of waited) this.deliver(event);
  }

  private deliver(event: DomainEvent) {
    const stream = this.stream as EventStream;
    switch (event.type) {
      case 'ticket.updated':
        return this.sendTicket(event.ticket);
      case 'message.created':
        return this.sendMessage(event.message);
      case 'message.updated':
        return stream.send('message.updated', event.message);
      case 'message.deleted':
        return stream.send('message.deleted', {
          id: event.messageId,
          ticket_id: event.ticketId,
        } satisfies MessageDeletedEvent);
      case 'agent.typing':
        return stream.send('agent.typing', {
          ticket_id: event.ticketId,
          agent_name: event.agentName,
        } satisfies AgentTypingEvent);
      case 'visitor.typing':
        return; // the visitor's own: for the agent's side only
    }
  }

  private sendTicket(ticket: TicketView) {
    this.ticketVersions ??= new Map();
    const sent = this.ticketVersions.get(ticket.id);
    if (isOlderTicket({ id: ticket.id, version: sent }, ticket)) return;
    if (ticket.version !== undefined) this.ticketVersions.set(ticket.id, ticket.version);
    (this.stream as EventStream).send('ticket', ticket);
  }

  private sendMessage(message: MessageView) {
    const stream = this.stream as EventStream;
    this.sent ??= new Set<number>();
    if (message.id <= this.resumeAfter || this.sent.has(message.id)) return;
    this.sent.add(message.id);
    if (this.sent.size > RECENT_IDS) this.sent.delete(this.sent.values().next().value as number);
    if (message.id > this.lastSentId) {
      this.lastSentId = message.id;
      stream.send('message', message, message.id);
    } else {
      // Committed before a newer one but published after it (another instance's event arrives through
      // the database a moment later): sent all the same, without an SSE id, so that a reconnect still
      // resumes after the newest.
      stream.send('message', message);
    }
  }
}
