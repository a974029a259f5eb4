import type { AgentApi } from '../api/agent-api.ts';
import type { AgentEvents } from '../hooks/use-agent-events.ts';
import { type QueueEntry, type QueueTab, useQueue } from '../hooks/use-queue.ts';
import { useQueueTags } from '../hooks/use-queue-tags.ts';
import { InlineError, Loading } from '../ui/notice.tsx';
import type { QueueCardData } from '../ui/queue-card.tsx';
import { QueueView } from '../ui/queue-view.tsx';
import { TagFilter } from '../ui/tag-filter.tsx';

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
  priority: entry.priority,
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
  // The tag filter (issue 13 §5): only tickets with the chosen tag.
  const tags = useQueueTags(api, events);
  const shown = (entries: QueueEntry[]) => entries.filter((entry) => tags.keep(entry.id)).map(toCard);
  if (queue.loading) return <Loading label="Loading the queue" />;
  return (
    <>
      {queue.error && <InlineError message={`Could not refresh the queue: ${queue.error.message}`} />}
      <TagFilter tags={tags.tags} selected={tags.selected} onSelect={tags.select} />
      <QueueView
        tab={tab}
        live={events.status}
        lists={{
          unclaimed: shown(queue.lists.unclaimed),
          mine: shown(queue.lists.mine),
          open: shown(queue.lists.open),
        }}
        onTabChange={onTabChange}
        onOpenTicket={onOpenTicket}
      />
    </>
  );
}
