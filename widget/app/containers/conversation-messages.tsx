import { Fragment } from 'react';
import type { MessageView, TicketView } from '../../../contract/api.ts';
import type { ChatStrings } from '../../i18n/strings.ts';
import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';
import type { OutgoingMessage } from '../hooks/use-outgoing-messages.ts';
import { systemWording } from '../system-wording.ts';
import { buildTimeline, formatDay } from '../timeline.ts';
import { MessageBubble } from '../ui/message-bubble.tsx';
import { Divider } from '../ui/message-list.tsx';
import { OutgoingStatus } from '../ui/outgoing-status.tsx';
import { SystemLine } from '../ui/system-line.tsx';
import { AttachmentContainer } from './attachment-container.tsx';

export type ConversationMessagesProps = {
  api: VisitorApi;
  credentials: VisitorCredentials | null;
  messages: MessageView[];
  tickets: TicketView[];
  outgoing: OutgoingMessage[];
  onRetry(localId: number): void;
  onDiscard(localId: number): void;
  strings: ChatStrings;
  language: string;
};

/**
 * The conversation's messages as list items: day separators, each conversation's topic, runs of one
 * sender with one author label and one time, system notices in the visitor's words, "Sent" on the
 * visitor's latest message, then the messages still on their way with their state.
 */
export function ConversationMessages(props: ConversationMessagesProps) {
  const { api, credentials, messages, tickets, outgoing, strings, language } = props;
  const now = new Date();
  const timeFormat = new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit' });
  const timeline = buildTimeline(messages, (date) => formatDay(date, now, language, strings));
  const categoryOf = new Map(tickets.map((ticket) => [ticket.id, ticket.category]));
  const lastOwnId = messages.findLast((message) => message.sender === 'visitor')?.id;
  const authorOf = (message: MessageView) =>
    message.sender === 'visitor' ? strings.you : (message.agent_name ?? strings.agent);

  return (
    <>
      {timeline.map(({ message, day, startsRun, endsRun, startsTicket }) => {
        const time = timeFormat.format(new Date(message.created_at));
        const category = startsTicket ? categoryOf.get(message.ticket_id) : null;
        return (
          <Fragment key={message.id}>
            {day && <Divider text={day} />}
            {category && <SystemLine text={strings.topic(category)} />}
            {message.sender === 'system' ? (
              <SystemLine text={systemWording(message.body, strings)} time={time} />
            ) : (
              <MessageBubble
                mine={message.sender === 'visitor'}
                author={authorOf(message)}
                showAuthor={startsRun}
                follows={!startsRun}
                body={message.body}
                time={endsRun ? time : undefined}
                receipt={message.id === lastOwnId && outgoing.length === 0 ? strings.sent : undefined}
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
            )}
          </Fragment>
        );
      })}
      {outgoing.map((message) => (
        <MessageBubble
          key={`outgoing-${message.localId}`}
          mine
          author={strings.you}
          body={
            message.file ? `📎 ${message.file.name}${message.body ? `\n${message.body}` : ''}` : message.body
          }
          status={
            <OutgoingStatus
              message={message}
              strings={strings}
              onRetry={props.onRetry}
              onDiscard={props.onDiscard}
            />
          }
        />
      ))}
    </>
  );
}
