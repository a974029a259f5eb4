import { Cell, Section } from '@telegram-apps/telegram-ui';
import type { EarlierTicket } from '../../contract/search-api.ts';
import { formatTime, ticketLabel } from './format.ts';
import './insights.css';

const STATUS = { open: 'waiting', claimed: 'open', closed: 'closed' } as const;

/** The visitor's other tickets, newest first; each opens that ticket. Nothing when there are none. */
export function EarlierTickets({
  tickets,
  now,
  onOpen,
}: {
  tickets: EarlierTicket[];
  now: number;
  onOpen: (ticketId: number) => void;
}) {
  if (!tickets.length) return null;
  return (
    <Section header={`This visitor’s other tickets (${tickets.length})`} className="sb-earlier">
      {tickets.map((ticket) => (
        <Cell
          key={ticket.ticket_id}
          Component="button"
          type="button"
          className="sb-earlier-row"
          data-ticket-id={ticket.ticket_id}
          onClick={() => onOpen(ticket.ticket_id)}
          subhead={`${ticketLabel({ id: ticket.ticket_id, category: ticket.category })} · ${STATUS[ticket.status]}`}
          subtitle={`${formatTime(ticket.created_at, now)}${ticket.via === 'identity' ? ' · another device' : ''}`}
          before={<span className={`sb-status-dot sb-status-dot--${ticket.status}`} aria-hidden="true" />}
        >
          {ticket.preview || '…'}
        </Cell>
      ))}
    </Section>
  );
}
