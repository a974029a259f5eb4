import { useEffect } from 'react';
import type { AgentApi } from '../api/agent-api.ts';
import type { AgentEvents } from './use-agent-events.ts';
import { useResource } from './use-resource.ts';

/** Local midnight: "today" is the agent's day. */
function startOfToday() {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  return start;
}

/** Today's numbers, refreshed when tickets change. */
export function useTodayStats(api: AgentApi, events: AgentEvents) {
  const stats = useResource(() => api.todayStats(startOfToday()), api, 1000);
  const { reloadSoon } = stats;
  useEffect(
    () =>
      events.subscribe((event) => {
        if (event.type !== 'message') reloadSoon();
      }),
    [events, reloadSoon],
  );
  return { stats: stats.data, loading: stats.loading, error: stats.error };
}
