import type { ReactNode } from 'react';
import type { AgentMessageView } from '../../contract/agent-api.ts';
import { formatTime } from './format.ts';

/**
 * The ticket's messages: the visitor on the left, agents on the right, system notes centred. A message
 * Telegram refused to deliver to the agent's DM says so, with Telegram's reason: only here can it be read.
 * Edited messages say so; reactions show under the text; a deleted message stays, struck through and
 * marked (the visitor no longer sees it). The agent's own messages have a Delete button (`onDelete`).
 */
export function Conversation({
  messages,
  now,
  attachment,
  onDelete,
  deleting = false,
}: {
  messages: AgentMessageView[];
  now: number;
  /** Renders a message's attachment (the container fetches it). */
  attachment: (mediaUrl: string) => ReactNode;
  /** Deletes one of the agent's own messages; without it, no Delete buttons. */
  onDelete?: (messageId: number) => void;
  deleting?: boolean;
}) {
  if (messages.length === 0) return <p className="sb-empty">No messages yet.</p>;
  return (
    <ol className="sb-conversation" aria-label="Conversation">
      {messages.map((message) =>
        message.sender === 'system' ? (
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
        ),
      )}
    </ol>
  );
}
