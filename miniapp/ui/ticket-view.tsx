import { Button, Cell, List, Section } from '@telegram-apps/telegram-ui';
import type { ReactNode } from 'react';
import type { AgentTicketView } from '../../contract/agent-api.ts';
import { formatDuration, ticketLabel } from './format.ts';

export type TicketViewProps = {
  ticket: AgentTicketView;
  ageSeconds: number;
  busy: 'claim' | 'pass' | 'close' | 'reply' | 'delete' | null;
  /** Shown between the header and the conversation (errors, the back link). */
  notice?: ReactNode;
  /** The priority control (not for closed tickets). */
  priority?: ReactNode;
  conversation: ReactNode;
  /** Under the conversation: "Add note" (internal notes). */
  conversationFooter?: ReactNode;
  visitor: ReactNode;
  /** The reply box, while the ticket is the agent's. */
  reply?: ReactNode;
  /** The close form, while the agent is closing. */
  closeForm?: ReactNode;
  /** The hand-over form, while the agent is handing the ticket on. */
  transferForm?: ReactNode;
  botUsername: string | null;
  onClaim: () => void;
  onPass: () => void;
  onStartClose: () => void;
  onStartTransfer: () => void;
  onOpenChat: () => void;
};

function statusLine(ticket: AgentTicketView, ageSeconds: number) {
  if (ticket.status === 'open') return `Waiting for an agent · ${formatDuration(ageSeconds)}`;
  if (ticket.status === 'claimed')
    return ticket.mine ? 'Yours' : `Claimed by ${ticket.agent_name ?? 'an agent'}`;
  const rating = ticket.rating ? ` · rated ${'★'.repeat(ticket.rating)}${'☆'.repeat(5 - ticket.rating)}` : '';
  return `Closed${ticket.agent_name ? ` (${ticket.agent_name})` : ''}${rating}`;
}

/** A ticket: who and what, the conversation, and what the agent can do with it. */
export function TicketView(props: TicketViewProps) {
  const { ticket, busy } = props;
  const open = ticket.status === 'open';
  const mine = ticket.status === 'claimed' && ticket.mine;
  const canClose = (open || mine) && !props.closeForm;
  return (
    <List className="sb-ticket">
      <Section>
        <Cell
          subhead={<span className="sb-ticket-label">{ticketLabel(ticket)}</span>}
          subtitle={ticket.passed_by.length ? `Passed by ${ticket.passed_by.join(', ')}` : undefined}
          description={ticket.rating_comment ? `“${ticket.rating_comment}”` : undefined}
          multiline
        >
          <span className={`sb-ticket-status sb-ticket-status--${ticket.status}`}>
            {statusLine(ticket, props.ageSeconds)}
          </span>
        </Cell>
      </Section>
      {props.priority}
      {props.notice}
      {(open || canClose || mine) && (
        <div className="sb-button-row sb-actions">
          {open && (
            <Button
              mode="filled"
              size="m"
              loading={busy === 'claim'}
              disabled={busy !== null}
              onClick={props.onClaim}
            >
              Claim
            </Button>
          )}
          {open && (
            <Button
              mode="gray"
              size="m"
              loading={busy === 'pass'}
              disabled={busy !== null}
              onClick={props.onPass}
            >
              Pass
            </Button>
          )}
          {canClose && (
            <Button mode="plain" size="m" disabled={busy !== null} onClick={props.onStartClose}>
              Close…
            </Button>
          )}
          {mine && !props.transferForm && (
            <Button mode="plain" size="m" disabled={busy !== null} onClick={props.onStartTransfer}>
              Transfer…
            </Button>
          )}
          {mine && props.botUsername && (
            <Button mode="plain" size="m" onClick={props.onOpenChat}>
              Open chat in bot
            </Button>
          )}
        </div>
      )}
      {props.closeForm}
      {props.transferForm}
      <Section header="Conversation">
        {props.conversation}
        {props.conversationFooter}
      </Section>
      {props.reply}
      {props.visitor}
    </List>
  );
}
