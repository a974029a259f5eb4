import type { ReactNode } from 'react';
import { LinkifiedText } from './linkified-text.tsx';

export type MessageBubbleProps = {
  mine: boolean;
  system?: boolean;
  author: string;
  body: string;
  time?: string;
  attachment?: ReactNode;
  /** For a message still on its way: its state line and actions. */
  status?: ReactNode;
};

/** One message: who wrote it, its text with clickable links, an attachment, and when. */
export function MessageBubble({ mine, system, author, body, time, attachment, status }: MessageBubbleProps) {
  const kind = system ? 'system' : mine ? 'mine' : 'theirs';
  return (
    <li className={`message message--${kind}`}>
      {!mine && <span className="message__author">{author}</span>}
      <div className="message__bubble">
        {attachment}
        {body && (
          <p className="message__body">
            <LinkifiedText text={body} />
          </p>
        )}
      </div>
      {(time || status) && (
        <span className="message__meta">
          {mine && <span className="visually-hidden">{author}, </span>}
          {status ?? time}
        </span>
      )}
    </li>
  );
}
