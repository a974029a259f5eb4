import type { AgentApi } from '../api/agent-api.ts';
import type { AgentEvents } from '../hooks/use-agent-events.ts';
import { useTodayStats } from '../hooks/use-today-stats.ts';
import { FullScreenNotice, InlineError, Loading } from '../ui/notice.tsx';
import { TodayView } from '../ui/today-view.tsx';

/** Wires today's numbers to their view. */
export function TodayContainer({ api, events }: { api: AgentApi; events: AgentEvents }) {
  const { stats, loading, error } = useTodayStats(api, events);
  if (loading) return <Loading label="Loading today’s numbers" />;
  if (!stats)
    return <FullScreenNotice icon="⚠️" title="Could not load today’s numbers" description={error?.message} />;
  return (
    <>
      {error && <InlineError message={`Could not refresh: ${error.message}`} />}
      <TodayView stats={stats} />
    </>
  );
}
