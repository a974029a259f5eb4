// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentTicketResponse, AgentTicketView } from '../contract/agent-api.ts';
import type { TicketView } from '../contract/api.ts';
import type { AgentApi } from '../miniapp/api/agent-api.ts';
import type { AgentEvents } from '../miniapp/hooks/use-agent-events.ts';
import { useTicket } from '../miniapp/hooks/use-ticket.ts';

afterEach(cleanup);

/** The Mini App's hooks, rendered with React against a fake API and event stream. */
describe('Mini App hooks', () => {
  const view = (version: number, status: TicketView['status'], agent: string | null): TicketView => ({
    id: 12,
    status,
    category: null,
    agent_name: agent,
    created_at: new Date().toISOString(),
    claimed_at: null,
    closed_at: null,
    rating: null,
    contact_requested: false,
    version,
  });
  const agentView = (ticket: TicketView): AgentTicketView => ({
    ...ticket,
    mine: false,
    priority: 'normal',
    passed_by: [],
    rating_comment: null,
  });

  it('useTicket keeps the newer state of its ticket when an older one arrives after it', async () => {
    // The API answers the state it read first (version 1) every time: a refetch never brings the news.
    const response: AgentTicketResponse = {
      ticket: agentView(view(1, 'open', null)),
      visitor: {} as AgentTicketResponse['visitor'],
      messages: [],
    };
    const fetches: Promise<AgentTicketResponse>[] = [];
    const api = {
      ticket: () => {
        fetches.push(Promise.resolve(response));
        return fetches.at(-1);
      },
    } as unknown as AgentApi;
    const listeners = new Set<(event: AgentEvent) => void>();
    const events: AgentEvents = {
      status: 'live',
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const emit = (event: AgentEvent) =>
      act(() => {
        for (const listener of listeners) listener(event);
      });

    const { result } = renderHook(() => useTicket(api, events, 12));
    await waitFor(() => expect(result.current.data?.ticket.version).toBe(1));

    // The claim (version 3), then a state from before it (version 2) that another instance sent late.
    emit({ type: 'ticket', data: view(3, 'claimed', 'Dana') });
    emit({ type: 'ticket', data: view(2, 'open', null) });
    expect(result.current.data?.ticket).toMatchObject({ version: 3, status: 'claimed', agent_name: 'Dana' });
    // The refetch the newer state asked for answers an older read: the newer state stays.
    await waitFor(() => expect(fetches).toHaveLength(2));
    await act(() => fetches[1]);
    expect(result.current.data?.ticket).toMatchObject({ version: 3, status: 'claimed', agent_name: 'Dana' });
    // Another ticket's event is none of its business.
    emit({ type: 'ticket', data: { ...view(9, 'closed', null), id: 13 } });
    expect(result.current.data?.ticket.version).toBe(3);
  });
});
