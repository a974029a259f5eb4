import { useNow } from '../hooks/use-now.ts';
import type { useSearch } from '../hooks/use-search.ts';
import { SearchView } from '../ui/search-view.tsx';

/** The Search tab. The hook lives in the app container, so results survive opening a ticket and coming back. */
export function SearchContainer({
  search,
  onOpenTicket,
}: {
  search: ReturnType<typeof useSearch>;
  onOpenTicket: (ticketId: number) => void;
}) {
  const now = useNow();
  return (
    <SearchView
      criteria={search.criteria}
      agents={search.agents}
      results={search.results}
      busy={search.busy}
      error={search.error}
      hasMore={search.hasMore}
      now={now}
      onChange={search.change}
      onSubmit={search.submit}
      onClear={search.clear}
      onMore={search.more}
      onOpen={onOpenTicket}
    />
  );
}
