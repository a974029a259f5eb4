import type { EventBus } from '../../core/event-bus.ts';
import type { EventStreams, StreamTarget } from '../event-streams.ts';

/**
 * Live changes for every agent: `ready` on connect (the app refetches what it shows), then `ticket`,
 * `message`, `message.updated` and `message.deleted` as they happen anywhere. Not resumable: after a
 * reconnect the app refetches. Capped per agent (one more ends the agent's oldest) and per client
 * address (429).
 */
export async function streamAgentEvents(
  target: StreamTarget,
  agentId: number,
  deps: { bus: EventBus; eventStreams: EventStreams },
) {
  const owner = `agent:${agentId}`;
  const place = await deps.eventStreams.reserve(target.ip, owner);
  const stream = deps.eventStreams.open(target, owner, place);
  const unsubscribe = deps.bus.subscribe('*', (event) => {
    if (event.type === 'ticket.updated') stream.send('ticket', event.ticket);
    else if (event.type === 'message.created') stream.send('message', event.message);
    else if (event.type === 'message.updated') stream.send('message.updated', event.message);
    else if (event.type === 'message.deleted') {
      stream.send('message.deleted', { id: event.messageId, ticket_id: event.ticketId });
    }
  });
  stream.onClose(unsubscribe);
  stream.send('ready', { at: new Date().toISOString() });
}
