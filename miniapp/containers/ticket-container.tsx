import { useState } from 'react';
import { CLOSE_NOTE_MAX_LENGTH } from '../../contract/agent-limits.ts';
import { MESSAGE_MAX_LENGTH } from '../../contract/limits.ts';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { hasNativeBackButton, openBotChat } from '../hooks/telegram.ts';
import type { AgentEvents } from '../hooks/use-agent-events.ts';
import { useDraft } from '../hooks/use-draft.ts';
import { useNow } from '../hooks/use-now.ts';
import { useTicket } from '../hooks/use-ticket.ts';
import { useVisitorData } from '../hooks/use-visitor-data.ts';
import { CloseForm } from '../ui/close-form.tsx';
import { Conversation } from '../ui/conversation.tsx';
import { BackLink, FullScreenNotice, InlineError, Loading } from '../ui/notice.tsx';
import { ReplyBox } from '../ui/reply-box.tsx';
import { TicketView } from '../ui/ticket-view.tsx';
import { VisitorData } from '../ui/visitor-data.tsx';
import { VisitorDetails } from '../ui/visitor-details.tsx';
import { AttachmentContainer } from './attachment-container.tsx';

export type TicketContainerProps = {
  api: AgentApi;
  events: AgentEvents;
  ticketId: number;
  botUsername: string | null;
  onBack: () => void;
};

/** Wires one ticket (live), its actions and the drafts to the ticket view. */
export function TicketContainer({ api, events, ticketId, botUsername, onBack }: TicketContainerProps) {
  const ticket = useTicket(api, events, ticketId);
  // Once erased, the ticket no longer exists: back to the queue.
  const visitorData = useVisitorData(api, ticketId, { onErased: onBack });
  const reply = useDraft(`reply:${ticketId}`);
  const note = useDraft(`note:${ticketId}`);
  const [closing, setClosing] = useState(false);
  const now = useNow();
  const backLink = hasNativeBackButton() ? null : <BackLink label="Queue" onClick={onBack} />;

  if (ticket.loading) return <Loading label="Loading the ticket" />;
  if (!ticket.data) {
    const gone = ticket.error instanceof ApiError && ticket.error.status === 404;
    return (
      <FullScreenNotice
        icon={gone ? '🔍' : '⚠️'}
        title={gone ? `Ticket #${ticketId} does not exist` : 'Could not load the ticket'}
        description={gone ? undefined : ticket.error?.message}
        action={{ label: 'Back to the queue', onClick: onBack }}
      />
    );
  }
  const { ticket: view, visitor, messages } = ticket.data;
  const mine = view.status === 'claimed' && view.mine;
  const ageSeconds = (now - new Date(view.created_at).getTime()) / 1000;

  return (
    <TicketView
      ticket={view}
      ageSeconds={ageSeconds}
      busy={ticket.busy}
      botUsername={botUsername}
      notice={
        <>
          {backLink}
          {ticket.actionError && <InlineError message={ticket.actionError} onDismiss={ticket.dismissError} />}
        </>
      }
      conversation={
        <Conversation
          messages={messages}
          now={now}
          attachment={(mediaUrl) => <AttachmentContainer api={api} ticketId={ticketId} mediaUrl={mediaUrl} />}
          onDelete={(messageId) => void ticket.deleteMessage(messageId)}
          deleting={ticket.busy === 'delete'}
        />
      }
      visitor={
        <>
          <VisitorDetails visitor={visitor} now={now} />
          <VisitorData
            busy={visitorData.busy}
            confirming={visitorData.confirming}
            ticketCount={visitor.previous_tickets + 1}
            error={visitorData.error}
            onExport={visitorData.exportAs}
            onStartErase={visitorData.startErase}
            onConfirmErase={visitorData.erase}
            onCancelErase={visitorData.cancelErase}
          />
        </>
      }
      reply={
        mine && !closing ? (
          <ReplyBox
            value={reply.value}
            maxLength={MESSAGE_MAX_LENGTH}
            sending={ticket.busy === 'reply'}
            onChange={(value) => {
              reply.change(value);
              if (value.trim()) ticket.typing();
            }}
            onSend={async () => {
              if (await ticket.reply(reply.value)) reply.clear();
            }}
          />
        ) : undefined
      }
      closeForm={
        closing && view.status !== 'closed' ? (
          <CloseForm
            note={note.value}
            maxLength={CLOSE_NOTE_MAX_LENGTH}
            closing={ticket.busy === 'close'}
            onNoteChange={note.change}
            onConfirm={async () => {
              if (await ticket.close(note.value)) {
                note.clear();
                setClosing(false);
              }
            }}
            onCancel={() => setClosing(false)}
          />
        ) : undefined
      }
      onClaim={ticket.claim}
      onPass={ticket.pass}
      onStartClose={() => setClosing(true)}
      onOpenChat={() => botUsername && openBotChat(botUsername)}
    />
  );
}
