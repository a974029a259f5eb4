import { List, Placeholder, Section, SegmentedControl } from '@telegram-apps/telegram-ui';
import { QueueCard, type QueueCardData } from './queue-card.tsx';

export type QueueTab = 'unclaimed' | 'mine' | 'open';
export type LiveState = 'connecting' | 'live' | 'polling';

export type QueueViewProps = {
  tab: QueueTab;
  lists: Record<QueueTab, QueueCardData[]>;
  live: LiveState;
  onTabChange: (tab: QueueTab) => void;
  onOpenTicket: (id: number) => void;
};

const TABS: { tab: QueueTab; label: string; empty: string; hint: string }[] = [
  {
    tab: 'unclaimed',
    label: 'Unclaimed',
    empty: 'Nobody is waiting',
    hint: 'New tickets appear here at once.',
  },
  {
    tab: 'mine',
    label: 'Mine',
    empty: 'No tickets of yours',
    hint: 'Claim a ticket to chat with the visitor.',
  },
  { tab: 'open', label: 'All open', empty: 'No open tickets', hint: 'Every ticket is closed.' },
];

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: '● Live',
  polling: 'Reconnecting — refreshing every few seconds',
};

/** The queue: unclaimed, mine and all open tickets, as tabs. */
export function QueueView({ tab, lists, live, onTabChange, onOpenTicket }: QueueViewProps) {
  const current = TABS.find((entry) => entry.tab === tab) ?? (TABS[0] as (typeof TABS)[number]);
  const tickets = lists[tab];
  return (
    <List className="sb-queue">
      <SegmentedControl className="sb-segments" role="tablist" aria-label="Tickets">
        {TABS.map((entry) => (
          <SegmentedControl.Item
            key={entry.tab}
            selected={entry.tab === tab}
            onClick={() => onTabChange(entry.tab)}
            aria-selected={entry.tab === tab}
          >
            {entry.label} ({lists[entry.tab].length})
          </SegmentedControl.Item>
        ))}
      </SegmentedControl>
      {tickets.length === 0 ? (
        <Placeholder header={current.empty} description={current.hint} />
      ) : (
        <Section
          header={current.label}
          footer={<span className={`sb-live sb-live--${live}`}>{LIVE_TEXT[live]}</span>}
        >
          {tickets.map((ticket) => (
            <QueueCard key={ticket.id} ticket={ticket} onOpen={onOpenTicket} />
          ))}
        </Section>
      )}
      {tickets.length === 0 && (
        <p className={`sb-live sb-live--${live} sb-live--standalone`}>{LIVE_TEXT[live]}</p>
      )}
    </List>
  );
}
