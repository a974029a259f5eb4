import type { ReactNode } from 'react';
import type { AgentMessageView } from '../../contract/agent-api.ts';
import { formatTime } from './format.ts';

/**
 * The ticket's messages: the visitor on the left, agents on the right, system notes centred. A message
 * Telegram refused to deliver to the agent's DM says so, with Telegram's reason: only here can it be read.
 */
export function Conversation({
  messages,
  now,
  attachment,
}: {
  messages: AgentMessageView[];
  now: number;
  /** Renders a message's attachment (the container fetches it). */
  attachment: (mediaUrl: string) => ReactNode;
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
            className={`sb-bubble sb-bubble--${message.sender}${message.undeliverable ? ' sb-bubble--undelivered' : ''}`}
          >
            <span className="sb-bubble-author">
              {message.sender === 'visitor' ? 'Visitor' : (message.agent_name ?? 'Agent')}
            </span>
            {message.body && <span className="sb-bubble-body">{message.body}</span>}
            {message.media_url && attachment(message.media_url)}
            {message.undeliverable && (
              <span className="sb-bubble-undelivered" role="note">
                Not delivered to Telegram: {message.undeliverable.reason}
              </span>
            )}
            <time className="sb-bubble-time" dateTime={message.created_at}>
              {formatTime(message.created_at, now)}
            </time>
          </li>
        ),
      )}
    </ol>
  );
}
