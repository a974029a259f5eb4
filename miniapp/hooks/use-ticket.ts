import { useCallback, useEffect, useRef, useState } from 'react';
import type { AgentTicketResponse } from '../../contract/agent-api.ts';
import type { TicketView } from '../../contract/api.ts';
import { isOlderTicket } from '../../contract/ticket-version.ts';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';
import type { AgentEvents } from './use-agent-events.ts';
import { useResource } from './use-resource.ts';

export type TicketAction = 'claim' | 'pass' | 'close' | 'reply' | 'delete';

/** The visitor is told the agent is typing at most this often (the server drops calls more often). */
const TYPING_EVERY_MS = 2500;

/**
 * One ticket: its conversation and visitor, live (refetched when it changes or a message arrives), and
 * the agent's actions on it. A refused action (claimed by someone else, closed meanwhile…) is reported with
 * the server's reason and the ticket is refetched.
 */
export function useTicket(api: AgentApi, events: AgentEvents, ticketId: number) {
  const ticket = useResource<AgentTicketResponse>(() => api.ticket(ticketId), `${ticketId}`);
  const { reloadSoon, reload } = ticket;
  const [busy, setBusy] = useState<TicketAction | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  // The newest state a `ticket` event brought, shown at once (the refetch brings the rest).
  const [heard, setHeard] = useState<TicketView | null>(null);
  const data = withHeardTicket(ticket.data, heard?.id === ticketId ? heard : null);
  const shown = useRef<TicketView | undefined>(data?.ticket);
  shown.current = data?.ticket;

  useEffect(
    () =>
      events.subscribe((event) => {
        if (event.type === 'ticket' && event.data.id === ticketId) {
          // An older state than the one shown (another instance's event arriving late): nothing to do.
          if (isOlderTicket(shown.current, event.data)) return;
          shown.current = event.data;
          setHeard(event.data);
          reloadSoon();
        } else if (
          event.type === 'ready' ||
          ((event.type === 'message' ||
            event.type === 'message.updated' ||
            event.type === 'message.deleted') &&
            event.data.ticket_id === ticketId)
        ) {
          reloadSoon();
        }
      }),
    [events, reloadSoon, ticketId],
  );

  const run = useCallback(
    async (action: TicketAction, call: () => Promise<unknown>) => {
      setBusy(action);
      setActionError(null);
      try {
        await call();
        haptics.success();
        return true;
      } catch (error) {
        haptics.error();
        setActionError(
          error instanceof ApiError ? error.message : 'No connection to the server. Try again in a moment.',
        );
        return false;
      } finally {
        setBusy(null);
        reload();
      }
    },
    [reload],
  );

  const lastTyping = useRef(0);
  /** The agent typed in the reply box: tells the visitor, throttled; a failure is of no consequence. */
  const typing = useCallback(() => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_EVERY_MS) return;
    lastTyping.current = now;
    api.typing(ticketId).catch(() => {});
  }, [api, ticketId]);

  return {
    data,
    loading: ticket.loading,
    error: ticket.error,
    busy,
    actionError,
    dismissError: () => setActionError(null),
    claim: () => run('claim', () => api.claim(ticketId)),
    pass: () => run('pass', () => api.pass(ticketId)),
    close: (note?: string) => run('close', () => api.close(ticketId, note?.trim() || undefined)),
    reply: (body: string) => run('reply', () => api.reply(ticketId, body)),
    deleteMessage: (messageId: number) => run('delete', () => api.deleteMessage(ticketId, messageId)),
    typing,
  };
}

/**
 * The fetched ticket, with the state a `ticket` event brought where that is newer (a higher version): the
 * event is shown before the refetch answers, and an answer older than it (read before the change) never
 * takes it back. What only the agent's view has (`mine`, priority, passes) stays as fetched; `mine` holds
 * only while the ticket is still claimed by the same agent.
 */
export function withHeardTicket(
  fetched: AgentTicketResponse | null,
  heard: TicketView | null,
): AgentTicketResponse | null {
  if (!fetched || !heard || heard.id !== fetched.ticket.id) return fetched;
  const current = fetched.ticket;
  if (heard.version === undefined || current.version === undefined || heard.version <= current.version)
    return fetched;
  const mine = current.mine && heard.status === 'claimed' && heard.agent_name === current.agent_name;
  return { ...fetched, ticket: { ...current, ...heard, mine } };
}
