import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import type { MessageView, SendMessageResponse } from '../../../contract/api.ts';
import { MESSAGE_MAX_LENGTH, RATING_COMMENT_MAX_LENGTH, UPLOAD_TYPES } from '../../../contract/limits.ts';
import type { ChatStrings } from '../../i18n/strings.ts';
import type { VisitorApi } from '../api/visitor-api.ts';
import { useAutoScroll } from '../hooks/use-auto-scroll.ts';
import { useCategories } from '../hooks/use-categories.ts';
import { useConversation } from '../hooks/use-conversation.ts';
import { useDraft } from '../hooks/use-draft.ts';
import { useHostBridge } from '../hooks/use-host-bridge.ts';
import { useOnline } from '../hooks/use-online.ts';
import { useOutgoingMessages } from '../hooks/use-outgoing-messages.ts';
import { useTicketActions } from '../hooks/use-ticket-actions.ts';
import { useTranscriptDownload } from '../hooks/use-transcript-download.ts';
import { useUnreadCount } from '../hooks/use-unread-count.ts';
import { type SessionStore, useVisitorSession } from '../hooks/use-visitor-session.ts';
import { CategoryPicker } from '../ui/category-picker.tsx';
import { ChatHeader } from '../ui/chat-header.tsx';
import { ChatLayout } from '../ui/chat-layout.tsx';
import { Composer } from '../ui/composer.tsx';
import { ContactForm } from '../ui/contact-form.tsx';
import { MessageBubble } from '../ui/message-bubble.tsx';
import { Divider, MessageList } from '../ui/message-list.tsx';
import { Notice } from '../ui/notice.tsx';
import { OutgoingStatus } from '../ui/outgoing-status.tsx';
import { RatingForm } from '../ui/rating-form.tsx';
import { AttachmentContainer } from './attachment-container.tsx';

export type ChatContainerProps = {
  api: VisitorApi;
  store: SessionStore;
  strings: ChatStrings;
  language: string;
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
  const categories = useCategories(api);
  const bridge = useHostBridge(hostOrigin);
  const unread = useUnreadCount(conversation.messages, {
    visible: bridge.visible,
    loaded: conversation.status === 'ready',
  });
  const { addSent } = conversation;
  const onSent = useCallback((sent: SendMessageResponse) => addSent(sent.message, sent.ticket), [addSent]);
  const outgoing = useOutgoingMessages(api, credentials, { online, onSent });
  const draft = useDraft();
  const transcript = useTranscriptDownload(api, credentials, language);
  const actions = useTicketActions(api, credentials, {
    onTicket: conversation.setTicket,
    onContact: conversation.setContact,
  });
  const [category, setCategory] = useState<string | null>(null);
  const [startingNew, setStartingNew] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const scrollRef = useAutoScroll<HTMLDivElement>(conversation.messages.length + outgoing.outgoing.length);

  const { reportUnread } = bridge;
  useEffect(() => reportUnread(unread), [reportUnread, unread]);
  useEffect(() => {
    if (bridge.visible) inputRef.current?.focus();
  }, [bridge.visible]);

  const ticket = conversation.ticket;
  const ticketOpen = ticket !== null && ticket.status !== 'closed';
  // A new conversation starts: forget the previous one's choices.
  const openTicketId = ticketOpen ? ticket.id : null;
  useEffect(() => {
    if (openTicketId !== null) {
      setStartingNew(false);
      setCategory(null);
    }
  }, [openTicketId]);

  const askRating = ticket?.status === 'closed' && !startingNew;
  const askCategory =
    !ticketOpen &&
    !askRating &&
    outgoing.outgoing.length === 0 &&
    (categories?.length ?? 0) > 0 &&
    category === null;
  const askContact = ticketOpen && ticket.contact_requested && conversation.contact === null;

  const send = () => {
    const taken = draft.take();
    if (!taken) return;
    outgoing.send({ ...taken, category: ticketOpen ? undefined : (category ?? undefined) });
  };

  const time = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' });
  const authorOf = (message: MessageView) =>
    message.sender === 'visitor'
      ? strings.you
      : message.sender === 'agent'
        ? (message.agent_name ?? strings.agent)
        : strings.system;
  const closedTicketIds = new Set(conversation.tickets.filter((t) => t.status === 'closed').map((t) => t.id));
  const status = !ticket
    ? strings.idle
    : ticket.status === 'open'
      ? strings.waiting
      : ticket.status === 'claimed'
        ? strings.connectedTo(ticket.agent_name ?? strings.agent)
        : strings.closed;

  const header = (
    <ChatHeader
      title={strings.title}
      status={status}
      endLabel={strings.endConversation}
      onEnd={ticketOpen ? () => actions.endConversation(ticket.id) : undefined}
      ending={actions.closing === 'saving'}
      downloadLabel={strings.downloadTranscript}
      onDownload={conversation.messages.length > 0 ? transcript.download : undefined}
      downloading={transcript.state === 'saving'}
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

  const footer = askRating ? null : askCategory ? (
    notices
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
        error={draft.error ? strings[draft.error] : null}
        disabled={!credentials}
        maxLength={MESSAGE_MAX_LENGTH}
        labels={{
          message: strings.message,
          placeholder: strings.messagePlaceholder,
          send: strings.send,
          attach: strings.attach,
          removeAttachment: strings.removeAttachment,
        }}
      />
    </>
  );

  return (
    <ChatLayout header={header} scrollRef={scrollRef} footer={footer}>
      <MessageList label={strings.title}>
        {conversation.messages.length === 0 && outgoing.outgoing.length === 0 && (
          <MessageBubble mine={false} system author={strings.system} body={strings.greeting} />
        )}
        {conversation.messages.map((message, index) => {
          const next = conversation.messages[index + 1];
          const endsTicket = closedTicketIds.has(message.ticket_id) && next?.ticket_id !== message.ticket_id;
          return (
            <Fragment key={message.id}>
              <MessageBubble
                mine={message.sender === 'visitor'}
                system={message.sender === 'system'}
                author={authorOf(message)}
                body={message.body}
                time={time.format(new Date(message.created_at))}
                attachment={
                  message.media_url ? (
                    <AttachmentContainer
                      api={api}
                      credentials={credentials}
                      mediaUrl={message.media_url}
                      label={strings.attachment}
                      openLabel={strings.openAttachment}
                    />
                  ) : undefined
                }
              />
              {endsTicket && next && <Divider text={strings.ticketClosedDivider(message.ticket_id)} />}
            </Fragment>
          );
        })}
        {outgoing.outgoing.map((message) => (
          <MessageBubble
            key={`outgoing-${message.localId}`}
            mine
            author={strings.you}
            body={
              message.file
                ? `📎 ${message.file.name}${message.body ? `\n${message.body}` : ''}`
                : message.body
            }
            status={
              <OutgoingStatus
                message={message}
                strings={strings}
                onRetry={outgoing.retry}
                onDiscard={outgoing.discard}
              />
            }
          />
        ))}
      </MessageList>

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
      {askCategory && categories && (
        <CategoryPicker
          title={strings.pickCategory}
          categories={categories}
          selected={category}
          onSelect={setCategory}
        />
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
