import { Badge, Cell } from '@telegram-apps/telegram-ui';
import { formatDuration, ticketLabel } from './format.ts';

export type QueueCardData = {
  id: number;
  status: 'open' | 'claimed' | 'closed';
  category: string | null;
  preview: string;
  passes: number;
  passedByMe: boolean;
  ageSeconds: number;
  agentName: string | null;
  mine: boolean;
  unread: number;
  /** low / normal / high: high and low are marked. */
  priority?: 'low' | 'normal' | 'high';
};

/** One ticket in the queue: label, the visitor's first words, how long it waits, passes, unread. */
export function QueueCard({ ticket, onOpen }: { ticket: QueueCardData; onOpen: (id: number) => void }) {
  const facts = [
    ticket.status === 'open'
      ? `waiting ${formatDuration(ticket.ageSeconds)}`
      : `open ${formatDuration(ticket.ageSeconds)}`,
    ticket.passes ? `passed ×${ticket.passes}${ticket.passedByMe ? ' (you too)' : ''}` : null,
    ticket.status === 'claimed' ? (ticket.mine ? 'yours' : ticket.agentName) : null,
  ].filter(Boolean);
  return (
    <Cell
      Component="button"
      type="button"
      className="sb-queue-card"
      data-ticket-id={ticket.id}
      onClick={() => onOpen(ticket.id)}
      subhead={
        <>
          {ticketLabel(ticket)}
          {ticket.priority && ticket.priority !== 'normal' && (
            <span className={`sb-priority-badge sb-priority-badge--${ticket.priority}`}>
              {ticket.priority === 'high' ? 'High' : 'Low'}
            </span>
          )}
        </>
      }
      subtitle={facts.join(' · ')}
      after={
        ticket.unread > 0 ? (
          <Badge type="number" mode="primary" aria-label={`${ticket.unread} unread`}>
            {ticket.unread}
          </Badge>
        ) : undefined
      }
      before={<span className={`sb-status-dot sb-status-dot--${ticket.status}`} aria-hidden="true" />}
    >
      {ticket.preview || '…'}
    </Cell>
  );
}
