import { useCallback, useEffect } from 'react';
import type { AgentQueueItem } from '../../contract/agent-api.ts';
import type { AgentApi } from '../api/agent-api.ts';
import type { AgentEvents } from './use-agent-events.ts';
import { useNow } from './use-now.ts';
import { useResource } from './use-resource.ts';

export type QueueTab = 'unclaimed' | 'mine' | 'open';

/** A queue entry with its age as of now (the server's age plus the time since it answered). */
export type QueueEntry = AgentQueueItem & { ageSeconds: number };

/** The queue's three lists, refetched on every live change (or poll). */
export function useQueue(api: AgentApi, events: AgentEvents) {
  const queue = useResource(() => api.queue(), api);
  const { reloadSoon } = queue;
  useEffect(() => events.subscribe(() => reloadSoon()), [events, reloadSoon]);
  const now = useNow();

  const withAge = useCallback(
    (items: AgentQueueItem[] | undefined): QueueEntry[] =>
      (items ?? []).map((item) => ({
        ...item,
        ageSeconds: item.age_seconds + Math.max(0, Math.floor((now - queue.loadedAt) / 1000)),
      })),
    [now, queue.loadedAt],
  );

  return {
    lists: {
      unclaimed: withAge(queue.data?.unclaimed),
      mine: withAge(queue.data?.mine),
      open: withAge(queue.data?.open),
    },
    loading: queue.loading,
    error: queue.error,
    reload: queue.reload,
  };
}
