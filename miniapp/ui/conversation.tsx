import type { ReactNode } from 'react';
import type { AgentMessageView } from '../../contract/agent-api.ts';
import type { TicketNoteView } from '../../contract/notes-api.ts';
import { formatTime } from './format.ts';
import { NoteItem } from './ticket-notes.tsx';

/**
 * The ticket's messages: the visitor on the left, agents on the right, system notes centred. A message
 * Telegram refused to deliver to the agent's DM says so, with Telegram's reason: only here can it be read.
 * Edited messages say so; reactions show under the text; a deleted message stays, struck through and
 * marked (the visitor no longer sees it). The agent's own messages have a Delete button (`onDelete`).
 * The team's internal notes (`notes`) stand among the messages in time order, marked as notes.
 */
export function Conversation({
  messages,
  now,
  attachment,
  onDelete,
  deleting = false,
  notes = [],
}: {
  messages: AgentMessageView[];
  now: number;
  /** Renders a message's attachment (the container fetches it). */
  attachment: (mediaUrl: string) => ReactNode;
  /** Deletes one of the agent's own messages; without it, no Delete buttons. */
  onDelete?: (messageId: number) => void;
  deleting?: boolean;
  /** Internal notes (agents only), shown in time order among the messages. */
  notes?: TicketNoteView[];
}) {
  if (messages.length === 0 && notes.length === 0) return <p className="sb-empty">No messages yet.</p>;
  const timeline: (
    | { kind: 'message'; message: AgentMessageView }
    | { kind: 'note'; note: TicketNoteView }
  )[] = [
    ...messages.map((message) => ({ kind: 'message' as const, message })),
    ...notes.map((note) => ({ kind: 'note' as const, note })),
  ];
  const at = (entry: (typeof timeline)[number]) =>
    Date.parse(entry.kind === 'message' ? entry.message.created_at : entry.note.created_at);
  // A stable sort: messages keep their order; a note goes after what was said before it.
  timeline.sort((a, b) => at(a) - at(b));
  return (
    <ol className="sb-conversation" aria-label="Conversation">
      {timeline.map((entry) => {
        if (entry.kind === 'note')
          return <NoteItem key={`note-${entry.note.id}`} note={entry.note} now={now} />;
        const { message } = entry;
        return message.sender === 'system' ? (
          <li key={message.id} className="sb-system">
            {message.body}
          </li>
        ) : (
          <li
            key={message.id}
            className={`sb-bubble sb-bubble--${message.sender}${message.undeliverable ? ' sb-bubble--undelivered' : ''}${message.deleted_at ? ' sb-bubble--deleted' : ''}`}
          >
            <span className="sb-bubble-author">
              {message.sender === 'visitor' ? 'Visitor' : (message.agent_name ?? 'Agent')}
            </span>
            {message.body &&
              (message.deleted_at ? (
                <s className="sb-bubble-body">{message.body}</s>
              ) : (
                <span className="sb-bubble-body">{message.body}</span>
              ))}
            {message.media_url && !message.deleted_at && attachment(message.media_url)}
            {message.deleted_at && (
              <span className="sb-bubble-deleted" role="note">
                {message.sender === 'visitor' ? 'Deleted by the visitor' : 'Deleted'}
              </span>
            )}
            {message.undeliverable && (
              <span className="sb-bubble-undelivered" role="note">
                Not delivered to Telegram: {message.undeliverable.reason}
              </span>
            )}
            {message.reactions && message.reactions.length > 0 && (
              <span className="sb-bubble-reactions">
                {message.reactions.map((reaction) => (
                  <span
                    key={reaction.from}
                    className="sb-reaction"
                    title={reaction.from === 'visitor' ? 'The visitor’s reaction' : 'The agent’s reaction'}
                  >
                    {reaction.emoji}
                  </span>
                ))}
              </span>
            )}
            <span className="sb-bubble-meta">
              {message.edited_at && !message.deleted_at && <span className="sb-bubble-edited">edited</span>}
              <time className="sb-bubble-time" dateTime={message.created_at}>
                {formatTime(message.created_at, now)}
              </time>
              {onDelete && message.mine && !message.deleted_at && (
                <button
                  type="button"
                  className="sb-bubble-delete"
                  aria-label="Delete this message"
                  disabled={deleting}
                  onClick={() => onDelete(message.id)}
                >
                  Delete
                </button>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
