import { useEffect, useState } from 'react';
import type { AgentApi } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';
import type { AgentEvents } from './use-agent-events.ts';
import { useResource } from './use-resource.ts';

/** Bursts of ticket changes (a busy queue) make one request a second at most. */
const RELOAD_DEBOUNCE_MS = 1_000;

/**
 * The queue's tag filter: the tags on open tickets and the one chosen. Refreshed when a ticket changes (it
 * opens, closes, is claimed) or the stream asks for a refetch (`ready`), never for a mere message, which
 * changes no ticket's tags: most live events are messages. `keep(id)` says whether a ticket passes the
 * filter.
 */
export function useQueueTags(api: AgentApi, events: AgentEvents) {
  const resource = useResource(() => api.openTags(), api, RELOAD_DEBOUNCE_MS);
  const { reloadSoon } = resource;
  useEffect(
    () =>
      events.subscribe((event) => {
        if (event.type === 'ticket' || event.type === 'ready') reloadSoon();
      }),
    [events, reloadSoon],
  );
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
