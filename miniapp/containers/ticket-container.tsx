import { useState } from 'react';
import { CLOSE_NOTE_MAX_LENGTH, HANDOVER_NOTE_MAX_LENGTH } from '../../contract/agent-limits.ts';
import { MESSAGE_MAX_LENGTH } from '../../contract/limits.ts';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { hasNativeBackButton, openBotChat } from '../hooks/telegram.ts';
import type { AgentEvents } from '../hooks/use-agent-events.ts';
import { insertSnippet } from '../hooks/use-canned-picker.ts';
import { useDraft } from '../hooks/use-draft.ts';
import { useNotes } from '../hooks/use-notes.ts';
import { useNow } from '../hooks/use-now.ts';
import { useTicket } from '../hooks/use-ticket.ts';
import { useTransfer } from '../hooks/use-transfer.ts';
import { useVisitorData } from '../hooks/use-visitor-data.ts';
import { CloseForm } from '../ui/close-form.tsx';
import { Conversation } from '../ui/conversation.tsx';
import { BackLink, FullScreenNotice, InlineError, Loading } from '../ui/notice.tsx';
import { ReplyBox } from '../ui/reply-box.tsx';
import { TicketView } from '../ui/ticket-view.tsx';
import { TransferForm } from '../ui/transfer-form.tsx';
import { VisitorData } from '../ui/visitor-data.tsx';
import { VisitorDetails } from '../ui/visitor-details.tsx';
import { AttachmentContainer } from './attachment-container.tsx';
import { CannedPickerContainer } from './canned-picker-container.tsx';
import { EarlierTicketsContainer } from './earlier-tickets-container.tsx';
import { NoteComposerContainer } from './note-composer-container.tsx';
import { PriorityContainer } from './priority-container.tsx';
import { TicketTagsContainer } from './ticket-tags-container.tsx';

export type TicketContainerProps = {
  api: AgentApi;
  events: AgentEvents;
  ticketId: number;
  botUsername: string | null;
  onBack: () => void;
  /** "Manage replies…" in the reply box's canned replies. */
  onManageReplies?: () => void;
  /** Opens another ticket (the visitor's earlier tickets). */
  onOpenTicket?: (ticketId: number) => void;
};

/** Wires one ticket (live), its actions and the drafts to the ticket view. */
export function TicketContainer({
  api,
  events,
  ticketId,
  botUsername,
  onBack,
  onManageReplies,
  onOpenTicket,
}: TicketContainerProps) {
  const ticket = useTicket(api, events, ticketId);
  // Once erased, the ticket no longer exists: back to the queue.
  const visitorData = useVisitorData(api, ticketId, { onErased: onBack });
  const reply = useDraft(`reply:${ticketId}`);
  const note = useDraft(`note:${ticketId}`);
  // Internal notes (agents only): among the messages, and "Add note" under them.
  const notes = useNotes(api, events, ticketId);
  const [closing, setClosing] = useState(false);
  const transfer = useTransfer(api, ticketId);
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
      priority={
        view.status === 'closed' ? undefined : (
          <PriorityContainer api={api} ticketId={ticketId} value={view.priority} />
        )
      }
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
          notes={notes.notes}
        />
      }
      conversationFooter={<NoteComposerContainer ticketId={ticketId} notes={notes} />}
      visitor={
        <>
          <TicketTagsContainer api={api} ticketId={ticketId} />
          <VisitorDetails visitor={visitor} now={now} />
          {onOpenTicket && (
            <EarlierTicketsContainer api={api} ticketId={ticketId} onOpenTicket={onOpenTicket} />
          )}
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
          <>
            <CannedPickerContainer
              api={api}
              ticketId={ticketId}
              category={view.category}
              onInsert={(text) => reply.change(insertSnippet(reply.value, text))}
              onManage={() => onManageReplies?.()}
            />
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
          </>
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
      onStartClose={() => {
        transfer.cancel();
        setClosing(true);
      }}
      onStartTransfer={() => {
        setClosing(false);
        void transfer.start();
      }}
      transferForm={
        transfer.open && mine ? (
          <TransferForm
            candidates={transfer.candidates}
            target={transfer.target}
            note={transfer.note}
            noteMaxLength={HANDOVER_NOTE_MAX_LENGTH}
            sending={transfer.sending}
            error={transfer.error}
            onChoose={transfer.choose}
            onNoteChange={transfer.setNote}
            onConfirm={() => void transfer.send()}
            onCancel={transfer.cancel}
          />
        ) : undefined
      }
      onOpenChat={() => botUsername && openBotChat(botUsername)}
    />
  );
}
