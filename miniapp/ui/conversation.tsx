import type { ReactNode } from 'react';
import type { MessageView } from '../../contract/api.ts';
import { formatTime } from './format.ts';

/** The ticket's messages: the visitor on the left, agents on the right, system notes centred. */
export function Conversation({
  messages,
  now,
  attachment,
}: {
  messages: MessageView[];
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
          <li key={message.id} className={`sb-bubble sb-bubble--${message.sender}`}>
            <span className="sb-bubble-author">
              {message.sender === 'visitor' ? 'Visitor' : (message.agent_name ?? 'Agent')}
            </span>
            {message.body && <span className="sb-bubble-body">{message.body}</span>}
            {message.media_url && attachment(message.media_url)}
            <time className="sb-bubble-time" dateTime={message.created_at}>
              {formatTime(message.created_at, now)}
            </time>
          </li>
        ),
      )}
    </ol>
  );
}
