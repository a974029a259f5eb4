import type { AgentApi } from '../api/agent-api.ts';
import { useEarlierTickets } from '../hooks/use-earlier-tickets.ts';
import { useNow } from '../hooks/use-now.ts';
import { EarlierTickets } from '../ui/earlier-tickets.tsx';

/** The visitor's earlier tickets in the ticket view; each opens that ticket. */
export function EarlierTicketsContainer({
  api,
  ticketId,
  onOpenTicket,
}: {
  api: AgentApi;
  ticketId: number;
  onOpenTicket: (ticketId: number) => void;
}) {
  const earlier = useEarlierTickets(api, ticketId);
  const now = useNow();
  return <EarlierTickets tickets={earlier.tickets} now={now} onOpen={onOpenTicket} />;
}
