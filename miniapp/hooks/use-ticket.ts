import { useCallback, useEffect, useRef, useState } from 'react';
import type { AgentTicketResponse } from '../../contract/agent-api.ts';
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

  useEffect(
    () =>
      events.subscribe((event) => {
        if (
          event.type === 'ready' ||
          (event.type === 'ticket' && event.data.id === ticketId) ||
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
    data: ticket.data,
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
