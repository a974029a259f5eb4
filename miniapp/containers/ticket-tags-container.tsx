import type { AgentApi } from '../api/agent-api.ts';
import { useTicketTags } from '../hooks/use-ticket-tags.ts';
import { TicketTags } from '../ui/ticket-tags.tsx';

/** A ticket's tags in the ticket view. */
export function TicketTagsContainer({ api, ticketId }: { api: AgentApi; ticketId: number }) {
  const tags = useTicketTags(api, ticketId);
  if (tags.loading) return null;
  return (
    <TicketTags
      tags={tags.tags}
      draft={tags.draft}
      busy={tags.busy}
      error={tags.error}
      full={tags.full}
      onDraftChange={tags.change}
      onAdd={() => void tags.add()}
      onRemove={tags.remove}
    />
  );
}
