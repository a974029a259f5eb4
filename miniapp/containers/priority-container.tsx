import type { TicketPriority } from '../../contract/team-api.ts';
import type { AgentApi } from '../api/agent-api.ts';
import { useTicketPriority } from '../hooks/use-ticket-priority.ts';
import { InlineError } from '../ui/notice.tsx';
import { PriorityPicker } from '../ui/priority-picker.tsx';

/** The ticket's priority control, wired to the API. */
export function PriorityContainer({
  api,
  ticketId,
  value,
}: {
  api: AgentApi;
  ticketId: number;
  value: TicketPriority;
}) {
  const priority = useTicketPriority(api, ticketId);
  return (
    <>
      <PriorityPicker value={value} disabled={priority.busy} onChange={(next) => void priority.set(next)} />
      {priority.error && <InlineError message={priority.error} onDismiss={priority.dismissError} />}
    </>
  );
}
