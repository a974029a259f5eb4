import type { AgentApi } from '../api/agent-api.ts';
import type { AgentEvents } from '../hooks/use-agent-events.ts';
import { type QueueEntry, type QueueTab, useQueue } from '../hooks/use-queue.ts';
import { InlineError, Loading } from '../ui/notice.tsx';
import type { QueueCardData } from '../ui/queue-card.tsx';
import { QueueView } from '../ui/queue-view.tsx';

const toCard = (entry: QueueEntry): QueueCardData => ({
  id: entry.id,
  status: entry.status,
  category: entry.category,
  preview: entry.preview,
  passes: entry.passes,
  passedByMe: entry.passed_by_me,
  ageSeconds: entry.ageSeconds,
  agentName: entry.agent_name,
  mine: entry.mine,
  unread: entry.unread,
});

export type QueueContainerProps = {
  api: AgentApi;
  events: AgentEvents;
  tab: QueueTab;
  onTabChange: (tab: QueueTab) => void;
  onOpenTicket: (id: number) => void;
};

/** Wires the live queue to its view. */
export function QueueContainer({ api, events, tab, onTabChange, onOpenTicket }: QueueContainerProps) {
  const queue = useQueue(api, events);
  if (queue.loading) return <Loading label="Loading the queue" />;
  return (
    <>
      {queue.error && <InlineError message={`Could not refresh the queue: ${queue.error.message}`} />}
      <QueueView
        tab={tab}
        live={events.status}
        lists={{
          unclaimed: queue.lists.unclaimed.map(toCard),
          mine: queue.lists.mine.map(toCard),
          open: queue.lists.open.map(toCard),
        }}
        onTabChange={onTabChange}
        onOpenTicket={onOpenTicket}
      />
    </>
  );
}
