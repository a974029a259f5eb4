import { useEffect, useState } from 'react';
import type { AgentApi } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';
import type { AgentEvents } from './use-agent-events.ts';
import { useResource } from './use-resource.ts';

/**
 * The queue's tag filter: the tags on open tickets (refreshed with every live change) and the one chosen.
 * `keep(id)` says whether a ticket passes the filter.
 */
export function useQueueTags(api: AgentApi, events: AgentEvents) {
  const resource = useResource(() => api.openTags(), api);
  const { reloadSoon } = resource;
  useEffect(() => events.subscribe(() => reloadSoon()), [events, reloadSoon]);
  const [selected, setSelected] = useState<string | null>(null);
  const tickets = resource.data?.tickets ?? {};
  const tags = resource.data?.tags ?? [];
  // A tag that is on no open ticket any more is no filter.
  const active = selected && tags.some((entry) => entry.tag === selected) ? selected : null;
  return {
    tags,
    selected: active,
    select: (tag: string | null) => {
      haptics.selection();
      setSelected(tag);
    },
    tagsOf: (id: number) => tickets[String(id)] ?? [],
    keep: (id: number) => active === null || (tickets[String(id)] ?? []).includes(active),
    /** Re-read now (after a tag was added elsewhere in the app). */
    reload: resource.reload,
  };
}
