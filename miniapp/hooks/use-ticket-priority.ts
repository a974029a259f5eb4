import { useState } from 'react';
import type { AgentTicketView } from '../../contract/agent-api.ts';
import type { TicketPriority } from '../../contract/team-api.ts';
import type { AgentApi } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';

/** Sets a ticket's priority; the ticket's live view refreshes from the server's answer (and its event). */
export function useTicketPriority(
  api: AgentApi,
  ticketId: number,
  onChanged?: (ticket: AgentTicketView) => void,
) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return {
    busy,
    error,
    dismissError: () => setError(null),
    async set(priority: TicketPriority) {
      setBusy(true);
      setError(null);
      try {
        const { ticket } = await api.setPriority(ticketId, priority);
        haptics.selection();
        onChanged?.(ticket);
      } catch (failure) {
        setError((failure as Error).message);
        haptics.error();
      } finally {
        setBusy(false);
      }
    },
  };
}
