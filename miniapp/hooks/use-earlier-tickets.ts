import type { AgentApi } from '../api/agent-api.ts';
import { useResource } from './use-resource.ts';

/** The ticket's visitor's other tickets (same session; for identified visitors, their other sessions). */
export function useEarlierTickets(api: AgentApi, ticketId: number) {
  const resource = useResource(() => api.earlierTickets(ticketId), `${ticketId}`);
  return { tickets: resource.data?.tickets ?? [], loading: resource.loading, error: resource.error };
}
