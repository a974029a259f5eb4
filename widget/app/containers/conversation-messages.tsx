import { Fragment } from 'react';
import type { MessageView, TicketView } from '../../../contract/api.ts';
import { VISITOR_REACTIONS } from '../../../contract/limits.ts';
import type { ChatStrings, Language } from '../../i18n/strings.ts';
import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';
import type { OutgoingMessage } from '../hooks/use-outgoing-messages.ts';
import { systemWording } from '../system-wording.ts';
import { buildTimeline, formatDay } from '../timeline.ts';
import { ActionMenu, type MenuAction } from '../ui/action-menu.tsx';
import { MessageBubble } from '../ui/message-bubble.tsx';
import { Divider } from '../ui/message-list.tsx';
import { OutgoingStatus } from '../ui/outgoing-status.tsx';
import { ReactionBar } from '../ui/reaction-bar.tsx';
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
  language: Language;
  /** How long after sending the visitor may edit or delete a message. */
  editWindowSeconds: number;
  onEdit(message: MessageView): void;
  onDelete(messageId: number): void;
  onReact(messageId: number, emoji: string | null): void;
  /** The agent who is typing, if one is. */
  typing: string | null;
  /** A category's label in the visitor's language (default: the key itself). */
  categoryLabel?(key: string): string;
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
  const openTickets = new Set(
    tickets.filter((ticket) => ticket.status !== 'closed').map((ticket) => ticket.id),
  );

  /** The ⋯ menu of a message: edit / delete the visitor's own recent ones, react to the agent's. */
  const menuOf = (message: MessageView) => {
    if (!openTickets.has(message.ticket_id)) return undefined;
    const mineReaction = message.reactions?.find((reaction) => reaction.from === 'visitor')?.emoji ?? null;
    let actions: MenuAction[] = [];
    if (message.sender === 'visitor') {
      const age = (now.getTime() - new Date(message.created_at).getTime()) / 1000;
      if (age > props.editWindowSeconds) return undefined;
      actions = [
        ...(message.media_url ? [] : [{ label: strings.editMessage, onSelect: () => props.onEdit(message) }]),
        { label: strings.deleteMessage, onSelect: () => props.onDelete(message.id) },
      ];
    } else if (message.sender === 'agent') {
      actions = VISITOR_REACTIONS.map((emoji) => ({
        label: emoji === mineReaction ? strings.removeReaction(emoji) : strings.reactWith(emoji),
        icon: emoji,
        onSelect: () => props.onReact(message.id, emoji === mineReaction ? null : emoji),
      }));
    }
    if (actions.length === 0) return undefined;
    return (
      <ActionMenu
        label={strings.messageActions}
        actions={actions}
        variant="message"
        row={message.sender === 'agent'}
      />
    );
  };

  return (
    <>
      {timeline.map(({ message, day, startsRun, endsRun, startsTicket }) => {
        const time = timeFormat.format(new Date(message.created_at));
        const category = startsTicket ? categoryOf.get(message.ticket_id) : null;
        return (
          <Fragment key={message.id}>
            {day && <Divider text={day} />}
            {category && <SystemLine text={strings.topic(props.categoryLabel?.(category) ?? category)} />}
            {message.sender === 'system' ? (
              <SystemLine text={systemWording(message, language)} time={time} />
            ) : (
              <MessageBubble
                mine={message.sender === 'visitor'}
                author={authorOf(message)}
                showAuthor={startsRun}
                follows={!startsRun}
                body={message.body}
                time={endsRun ? time : undefined}
                receipt={message.id === lastOwnId && outgoing.length === 0 ? strings.sent : undefined}
                edited={message.edited_at ? strings.edited : undefined}
                actions={menuOf(message)}
                reactions={
                  <ReactionBar
                    reactions={(message.reactions ?? []).map((reaction) => ({
                      emoji: reaction.emoji,
                      mine: reaction.from === 'visitor',
                    }))}
                    label={strings.reactions}
                    removeLabel={strings.removeReaction}
                    onRemove={() => props.onReact(message.id, null)}
                  />
                }
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
      {props.typing && <SystemLine text={strings.typing(props.typing)} />}
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
