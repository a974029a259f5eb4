import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageView, SendMessageResponse } from '../../../contract/api.ts';
import { MESSAGE_MAX_LENGTH, RATING_COMMENT_MAX_LENGTH, UPLOAD_TYPES } from '../../../contract/limits.ts';
import { categoryLabel } from '../../i18n/category-labels.ts';
import type { ChatStrings, Language } from '../../i18n/strings.ts';
import type { VisitorApi } from '../api/visitor-api.ts';
import { useAutoScroll } from '../hooks/use-auto-scroll.ts';
import { useConversation } from '../hooks/use-conversation.ts';
import { useDraft } from '../hooks/use-draft.ts';
import { useHostBridge } from '../hooks/use-host-bridge.ts';
import { useMessageActions } from '../hooks/use-message-actions.ts';
import { useOnline } from '../hooks/use-online.ts';
import { useOutgoingMessages } from '../hooks/use-outgoing-messages.ts';
import { useTicketActions } from '../hooks/use-ticket-actions.ts';
import { useTranscriptDownload } from '../hooks/use-transcript-download.ts';
import { useTypingReport } from '../hooks/use-typing-report.ts';
import { useUnreadCount } from '../hooks/use-unread-count.ts';
import { type SessionStore, useVisitorSession } from '../hooks/use-visitor-session.ts';
import { useVoiceRecorder } from '../hooks/use-voice-recorder.ts';
import { useWidgetConfig } from '../hooks/use-widget-config.ts';
import { replyTime } from '../reply-time.ts';
import type { MenuAction } from '../ui/action-menu.tsx';
import { CategoryPicker } from '../ui/category-picker.tsx';
import { ChatHeader } from '../ui/chat-header.tsx';
import { ChatLayout } from '../ui/chat-layout.tsx';
import { Composer } from '../ui/composer.tsx';
import { ContactForm } from '../ui/contact-form.tsx';
import { EndConfirmation } from '../ui/end-confirmation.tsx';
import { MessageBubble } from '../ui/message-bubble.tsx';
import { MessageList } from '../ui/message-list.tsx';
import { Notice } from '../ui/notice.tsx';
import { RatingForm } from '../ui/rating-form.tsx';
import { SystemLine } from '../ui/system-line.tsx';
import { ConversationMessages } from './conversation-messages.tsx';

export type ChatContainerProps = {
  api: VisitorApi;
  store: SessionStore;
  strings: ChatStrings;
  language: Language;
  /** The host page's origin, named by the loader; null when the chat is opened directly. */
  hostOrigin: string | null;
};

/** Wires the chat's hooks to its components. */
export function ChatContainer({ api, store, strings, language, hostOrigin }: ChatContainerProps) {
  const online = useOnline();
  // The browser's own locale (e.g. fr-FR) tells agents more than the chat's language does.
  const session = useVisitorSession(api, store, { locale: navigator.language || language });
  const { credentials } = session;
  const conversation = useConversation(api, credentials, { onExpired: session.renew, online });
  const config = useWidgetConfig(api);
  const bridge = useHostBridge(hostOrigin);
  const unread = useUnreadCount(conversation.messages, {
    visible: bridge.visible,
    loaded: conversation.status === 'ready',
  });
  const { addSent } = conversation;
  const onSent = useCallback((sent: SendMessageResponse) => addSent(sent.message, sent.ticket), [addSent]);
  const outgoing = useOutgoingMessages(api, credentials, {
    online,
    onSent,
    stored: conversation.messages,
  });
  const draft = useDraft();

  const transcript = useTranscriptDownload(api, credentials, language);
  const actions = useTicketActions(api, credentials, {
    onTicket: conversation.setTicket,
    onContact: conversation.setContact,
  });
  const [category, setCategory] = useState<string | null>(null);
  /** The visitor's message being edited in the message box, if any. */
  const [editing, setEditing] = useState<MessageView | null>(null);
  const messageActions = useMessageActions(api, credentials, {
    onChanged: conversation.replaceMessage,
    onDeleted: conversation.removeMessage,
  });
  const [startingNew, setStartingNew] = useState(false);
  const [confirmingEnd, setConfirmingEnd] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const scroll = useAutoScroll<HTMLDivElement>();

  const { reportUnread } = bridge;
  useEffect(() => reportUnread(unread), [reportUnread, unread]);
  useEffect(() => {
    if (bridge.visible) inputRef.current?.focus();
  }, [bridge.visible]);
  // What the visitor sends is shown, even if they had scrolled up to read.
  const { scrollToEnd } = scroll;
  const pending = outgoing.outgoing.length;
  const previousPending = useRef(pending);
  useEffect(() => {
    if (pending > previousPending.current) scrollToEnd();
    previousPending.current = pending;
  }, [pending, scrollToEnd]);

  const ticket = conversation.ticket;
  const ticketOpen = ticket !== null && ticket.status !== 'closed';
  useTypingReport(api, credentials, draft.text, ticketOpen && editing === null);
  // A voice message goes like a typed one (the latest render's category: the hook keeps this callback fresh).
  const recorder = useVoiceRecorder((file) =>
    outgoing.send({ body: '', file, category: ticketOpen ? undefined : (category ?? undefined) }),
  );
  // A new conversation starts: forget the previous one's choices.
  const openTicketId = ticketOpen ? ticket.id : null;
  useEffect(() => {
    if (openTicketId !== null) {
      setStartingNew(false);
      setCategory(null);
    }
  }, [openTicketId]);
  useEffect(() => {
    if (!ticketOpen) setConfirmingEnd(false);
  }, [ticketOpen]);
  useEffect(() => {
    if (startingNew) inputRef.current?.focus();
  }, [startingNew]);

  const askRating = ticket?.status === 'closed' && !startingNew;
  // Before the first message the choice goes with it; while the conversation waits for an agent it can
  // still be changed (the server keeps it once an agent has taken it).
  const waiting = ticket?.status === 'open';
  const offerCategories =
    (waiting || (!ticketOpen && !askRating && pending === 0)) && (config.categories?.length ?? 0) > 0;
  const chosenCategory = waiting ? (ticket.category ?? null) : category;
  // Once an agent has joined, the contact details asked for while nobody could answer are not needed.
  const askContact = ticket?.status === 'open' && ticket.contact_requested && conversation.contact === null;

  const startEditing = (message: MessageView) => {
    setEditing(message);
    draft.setText(message.body);
    inputRef.current?.focus();
  };
  const stopEditing = () => {
    setEditing(null);
    draft.setText('');
  };
  const send = () => {
    if (editing) {
      const body = draft.text.trim();
      if (!body) return;
      void messageActions.edit(editing.id, body).then((done) => done && stopEditing());
      return;
    }
    const taken = draft.take();
    if (!taken) return;
    outgoing.send({ ...taken, category: ticketOpen ? undefined : (category ?? undefined) });
  };
  const labelOf = (key: string) => categoryLabel(config.categories ?? [], key, language);
  const pickCategory = (picked: string | null) => {
    if (waiting) void actions.changeCategory(ticket.id, picked);
    else setCategory(picked);
    inputRef.current?.focus();
  };

  const expected = replyTime(config.typicalReplySeconds);
  const replyText =
    expected.kind === 'minutes'
      ? strings.replyTime.minutes(expected.minutes)
      : strings.replyTime[expected.kind];
  const agentName = ticket?.status === 'claimed' ? (ticket.agent_name ?? strings.agent) : null;
  const status = agentName
    ? strings.connectedTo(agentName)
    : ticket?.status === 'closed'
      ? strings.closed
      : replyText;

  const menu: MenuAction[] = [];
  if (conversation.messages.length > 0) {
    menu.push({
      label: strings.downloadTranscript,
      onSelect: transcript.download,
      disabled: transcript.state === 'saving',
    });
  }
  if (ticketOpen) menu.push({ label: strings.endConversation, onSelect: () => setConfirmingEnd(true) });

  const header = (
    <ChatHeader
      title={strings.title}
      status={status}
      agentName={agentName}
      actions={menu}
      actionsLabel={strings.moreActions}
      closeLabel={strings.close}
      onClose={bridge.embedded ? bridge.close : undefined}
    />
  );

  const notices = (
    <>
      {!online && <Notice>{strings.offline}</Notice>}
      {transcript.state === 'failed' && <Notice tone="error">{strings.transcriptFailed}</Notice>}
      {session.failed && (
        <Notice tone="error">
          {strings.loadFailed}{' '}
          <button type="button" className="link-button" onClick={session.retry}>
            {strings.tryAgain}
          </button>
        </Notice>
      )}
      {online && conversation.status === 'error' && (
        <Notice tone="error">
          {strings.loadFailed}{' '}
          <button type="button" className="link-button" onClick={conversation.reload}>
            {strings.tryAgain}
          </button>
        </Notice>
      )}
    </>
  );

  const footer = askRating ? (
    notices
  ) : confirmingEnd && ticketOpen ? (
    <EndConfirmation
      onConfirm={() => actions.endConversation(ticket.id)}
      onCancel={() => {
        setConfirmingEnd(false);
        inputRef.current?.focus();
      }}
      busy={actions.closing === 'saving'}
      labels={{
        title: strings.endConfirmTitle,
        text: strings.endConfirmText,
        confirm: strings.endConfirm,
        cancel: strings.cancel,
      }}
    />
  ) : (
    <>
      {notices}
      <Composer
        inputRef={inputRef}
        text={draft.text}
        onTextChange={draft.setText}
        onSend={send}
        fileName={draft.file?.name}
        preview={draft.preview}
        onPickFile={draft.pickFile}
        onRemoveFile={draft.clearFile}
        accept={UPLOAD_TYPES.join(',')}
        error={
          draft.error
            ? strings[draft.error]
            : messageActions.error
              ? messageActions.error === 'edit_window_expired'
                ? strings.editWindowExpired
                : strings.changeFailed
              : null
        }
        editing={
          editing
            ? { label: strings.editing, cancelLabel: strings.cancelEditing, onCancel: stopEditing }
            : undefined
        }
        disabled={!credentials}
        maxLength={MESSAGE_MAX_LENGTH}
        voice={
          recorder.state === 'unsupported'
            ? undefined
            : {
                state: recorder.state,
                seconds: recorder.seconds,
                onStart: recorder.start,
                onFinish: recorder.finish,
                onCancel: recorder.cancel,
              }
        }
        labels={{
          message: strings.message,
          placeholder: strings.messagePlaceholder,
          send: strings.send,
          attach: strings.attach,
          removeAttachment: strings.removeAttachment,
          record: strings.recordVoice,
          recording: strings.recording,
          sendRecording: strings.sendRecording,
          cancelRecording: strings.cancelRecording,
          microphoneBlocked: strings.microphoneBlocked,
        }}
      />
    </>
  );

  return (
    <ChatLayout header={header} scrollRef={scroll.ref} footer={footer}>
      <MessageList label={strings.title}>
        <MessageBubble mine={false} author={strings.title} showAuthor body={strings.greeting} />
        <ConversationMessages
          api={api}
          credentials={credentials}
          messages={conversation.messages}
          tickets={conversation.tickets}
          outgoing={outgoing.outgoing}
          onRetry={outgoing.retry}
          onDiscard={outgoing.discard}
          strings={strings}
          language={language}
          editWindowSeconds={config.editWindowSeconds}
          onEdit={startEditing}
          onDelete={(messageId) => {
            if (editing?.id === messageId) stopEditing();
            void messageActions.remove(messageId);
          }}
          onReact={(messageId, emoji) => void messageActions.react(messageId, emoji)}
          typing={conversation.typing}
          categoryLabel={labelOf}
        />
        {ticket?.status === 'open' && <SystemLine text={strings.waiting} />}
      </MessageList>

      {offerCategories && config.categories && (
        // The picker shows and answers labels; the category sent is the chosen label's key.
        <CategoryPicker
          title={waiting ? strings.changeCategory : strings.pickCategory}
          categories={config.categories.map((option) => labelOf(option.key))}
          selected={chosenCategory === null ? null : labelOf(chosenCategory)}
          onSelect={(label) =>
            pickCategory(config.categories?.find((option) => labelOf(option.key) === label)?.key ?? null)
          }
        />
      )}
      {askContact && (
        <ContactForm
          onSubmit={actions.saveContact}
          saving={actions.contact === 'saving'}
          error={
            actions.contactError === 'invalid'
              ? strings.contactInvalid
              : actions.contactError
                ? strings.errorGeneric
                : null
          }
          labels={{
            title: strings.contactTitle,
            email: strings.email,
            phone: strings.phone,
            submit: strings.saveContact,
          }}
        />
      )}
      {ticketOpen && ticket.contact_requested && conversation.contact && (
        <Notice>
          {strings.contactSaved(
            [conversation.contact.email, conversation.contact.phone].filter(Boolean).join(', '),
          )}
        </Notice>
      )}
      {askRating && ticket && (
        <>
          <RatingForm
            rated={ticket.rating}
            onSubmit={(stars, comment) => actions.rate(ticket.id, stars, comment)}
            saving={actions.rating === 'saving'}
            failed={actions.rating === 'failed' ? strings.errorGeneric : null}
            maxCommentLength={RATING_COMMENT_MAX_LENGTH}
            labels={{
              title: strings.rateTitle,
              star: strings.rateStar,
              comment: strings.ratingComment,
              submit: strings.submitRating,
              thanks: strings.ratingThanks,
            }}
          />
          <button
            type="button"
            className="button button--secondary new-conversation"
            onClick={() => setStartingNew(true)}
          >
            {strings.newConversation}
          </button>
        </>
      )}
    </ChatLayout>
  );
}
